import type pg from 'pg'
import copyStreams from 'pg-copy-streams'
import { quoteIdent, quoteQualified } from '../db/sql-names.js'
import type { PlannedTable } from '../rules/check-rules.js'
import type { DumpWriter } from './dump-writer.js'
import { OutBuffer } from './out-buffer.js'
import { createRowRewriter } from './row-rewriter.js'

export interface CopyResult {
  rows: number
  /** Uncompressed COPY text bytes written. */
  bytes: number
}

/**
 * Stream one table's rows out of the source, through its rules, into the
 * dump. Transformed columns are selected first so each row is decoded only up
 * to the last transformed field. Rows go out in blocks of about `chunkBytes`,
 * each its own `COPY … FROM stdin` statement and gzip member, so memory stays
 * flat however large the table is and several tables can be copied at once.
 */
export async function copyTable(
  client: pg.Client,
  planned: PlannedTable,
  writer: DumpWriter,
  options: { chunkBytes: number; onChunk?: (rows: number, bytes: number) => void },
): Promise<CopyResult> {
  const { table } = planned
  const transformed = planned.columns.filter((c) => c.compiled.name !== 'keep')
  const kept = planned.columns.filter((c) => c.compiled.name === 'keep')
  const ordered = [...transformed, ...kept]
  if (ordered.length === 0) return { rows: await countRows(client, planned), bytes: 0 }

  const names = ordered.map((c) => quoteIdent(c.column.name)).join(', ')
  const target = quoteQualified(table.schema, table.name)
  const header = Buffer.from(`COPY ${target} (${names}) FROM stdin;\n`)
  const footer = Buffer.from('\\.\n\n')

  const out = new OutBuffer(options.chunkBytes + (1 << 16))
  const rewriter = createRowRewriter(
    transformed.map((c) => c.compiled.fn),
    out,
    () => table.qualified,
  )
  let bytes = 0
  let rowsFlushed = 0
  let inflight: Promise<void> | null = null

  const flush = async () => {
    if (out.length === 0) return
    bytes += out.length
    const block = Buffer.concat([header, out.take(), footer])
    const rows = rewriter.rows - rowsFlushed
    rowsFlushed = rewriter.rows
    if (inflight) await inflight
    inflight = writer.appendText(block)
    options.onChunk?.(rows, block.length)
  }

  const stream = client.query(
    copyStreams.to(`COPY (SELECT ${names} FROM ONLY ${target}) TO STDOUT`),
  )
  try {
    for await (const chunk of stream) {
      rewriter.push(chunk as Buffer)
      if (out.length >= options.chunkBytes) await flush()
    }
    rewriter.end()
    await flush()
    if (inflight) await inflight
  } catch (err) {
    ;(inflight as Promise<void> | null)?.catch(() => {})
    throw err
  }
  return { rows: rewriter.rows, bytes }
}

/** A table with no column to copy (all generated) still has rows to report. */
async function countRows(client: pg.Client, planned: PlannedTable): Promise<number> {
  const { table } = planned
  const r = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM ONLY ${quoteQualified(table.schema, table.name)}`,
  )
  return Number(r.rows[0]?.n ?? 0)
}

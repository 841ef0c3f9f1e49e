import type pg from 'pg'
import copyStreams from 'pg-copy-streams'
import { quoteIdent, quoteQualified } from '../db/sql-names.js'
import type { PlannedTable } from '../rules/check-rules.js'
import type { BatchRunner } from './batch-runner.js'
import type { DumpWriter } from './dump-writer.js'
import type { BatchPlan } from './transform-batch.js'

export interface CopyResult {
  rows: number
  /** Uncompressed COPY text bytes written. */
  bytes: number
}

const NEWLINE = 10
/** Batches of one table being transformed at once: enough to keep every thread busy. */
const maxInFlight = 3

/**
 * Stream one table's rows out of the source, through its rules, into the
 * dump. Transformed columns are selected first so each row is decoded only up
 * to the last transformed field. Rows are cut at row boundaries into batches
 * of about `chunkBytes`; each becomes its own `COPY … FROM stdin` block and
 * gzip member, so memory stays flat however large the table is, and batches
 * of several tables are transformed on several threads at once.
 */
export async function copyTable(
  client: pg.Client,
  planned: PlannedTable,
  writer: DumpWriter,
  runner: BatchRunner,
  options: { chunkBytes: number; onChunk?: (rows: number, bytes: number) => void },
): Promise<CopyResult> {
  const { table } = planned
  const transformed = planned.columns.filter((c) => c.compiled.name !== 'keep')
  const kept = planned.columns.filter((c) => c.compiled.name === 'keep')
  const ordered = [...transformed, ...kept]
  if (ordered.length === 0) return { rows: await countRows(client, planned), bytes: 0 }

  const names = ordered.map((c) => quoteIdent(c.column.name)).join(', ')
  const target = quoteQualified(table.schema, table.name)
  const plan: BatchPlan = {
    id: `${table.oid}`,
    table: table.qualified,
    header: `COPY ${target} (${names}) FROM stdin;\n`,
    columns: transformed.map(({ spec, column }) => ({
      spec,
      column: {
        kind: column.kind,
        type: column.type,
        maxLength: column.maxLength,
        ...(column.integerRange ? { integerRange: column.integerRange } : {}),
        ...(column.element ? { element: column.element } : {}),
      },
    })),
  }

  let rows = 0
  let bytes = 0
  const inFlight = new Set<Promise<void>>()
  /** The first batch that failed. Each job's rejection is handled the moment it happens
   * (an unhandled one would end the process before the run could clean up); the read
   * loop stops at its next chunk. */
  let failure = null as { error: unknown } | null
  let pending: Buffer[] = []
  let pendingBytes = 0

  const send = async (raw: Buffer) => {
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight)
    if (failure) throw failure.error
    const job: Promise<void> = runner
      .run(plan, raw)
      .then((result) => writer.appendCompressed(result.gz).then(() => result))
      .then((result) => {
        rows += result.rows
        bytes += result.bytes
        options.onChunk?.(result.rows, result.gz.length)
      })
      .finally(() => inFlight.delete(job))
    job.catch((error: unknown) => {
      failure ??= { error }
    })
    inFlight.add(job)
  }

  const stream = client.query(
    copyStreams.to(`COPY (SELECT ${names} FROM ONLY ${target}) TO STDOUT`),
  )
  try {
    for await (const data of stream) {
      if (failure) throw failure.error
      const chunk = data as Buffer
      const last = chunk.lastIndexOf(NEWLINE)
      if (last < 0 || pendingBytes + last + 1 < options.chunkBytes) {
        pending.push(chunk)
        pendingBytes += chunk.length
        continue
      }
      pending.push(chunk.subarray(0, last + 1))
      const batch = Buffer.concat(pending, pendingBytes + last + 1)
      const rest = chunk.subarray(last + 1)
      pending = rest.length > 0 ? [Buffer.from(rest)] : []
      pendingBytes = rest.length
      await send(batch)
    }
    if (pendingBytes > 0) await send(Buffer.concat(pending, pendingBytes))
    await Promise.all(inFlight)
  } catch (err) {
    throw failure?.error ?? err
  }
  return { rows, bytes }
}

/** A table with no column to copy still has rows to report. */
async function countRows(client: pg.Client, planned: PlannedTable): Promise<number> {
  const { table } = planned
  const r = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM ONLY ${quoteQualified(table.schema, table.name)}`,
  )
  return Number(r.rows[0]?.n ?? 0)
}

import type pg from 'pg'
import { connectSource } from '../db/connect.js'
import { quoteLiteral } from '../db/sql-names.js'
import { AppError } from '../errors.js'
import type { PlannedTable } from '../rules/check-rules.js'
import type { BatchRunner } from './batch-runner.js'
import { copyTable } from './copy-table.js'
import type { DumpWriter } from './dump-writer.js'

/** Progress of the data phase: tables finished, rows and compressed bytes so far. */
export interface CopyProgress {
  tablesDone: number
  tablesTotal: number
  rows: number
  bytes: number
}

/**
 * Copy every table over `jobs` sessions attached to the exported snapshot,
 * largest first. The first failure ends every session and fails the run.
 */
export async function copyAll(
  url: string,
  snapshot: string,
  tables: PlannedTable[],
  writer: DumpWriter,
  runner: BatchRunner,
  workers: pg.Client[],
  options: { jobs: number; chunkBytes: number; onProgress: (p: CopyProgress) => void },
): Promise<Map<string, { rows: number; bytes: number }>> {
  const counts = new Map<string, { rows: number; bytes: number }>()
  const queue = [...tables]
  let rows = 0
  let bytes = 0
  const progress = () =>
    options.onProgress({
      tablesDone: counts.size,
      tablesTotal: tables.length,
      rows,
      bytes,
    })
  const sessions = Math.max(1, Math.min(options.jobs, tables.length))
  // Opened at once; every attempt settles before a failure is thrown, so none is left open.
  const opened = await Promise.allSettled(
    Array.from({ length: sessions }, async () => {
      const client = await connectSource(url)
      workers.push(client)
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY')
      await client.query(`SET TRANSACTION SNAPSHOT ${quoteLiteral(snapshot)}`)
    }),
  )
  for (const result of opened) if (result.status === 'rejected') throw result.reason
  let failed = false
  await Promise.all(
    workers.map(async (client) => {
      try {
        for (let next = queue.shift(); next && !failed; next = queue.shift()) {
          const result = await copyTable(client, next, writer, runner, {
            chunkBytes: options.chunkBytes,
            onChunk: (r, b) => {
              rows += r
              bytes += b
              progress()
            },
          })
          counts.set(next.table.qualified, result)
          progress()
        }
      } catch (err) {
        if (!failed) {
          failed = true
          // Every session ends now, this one too: its COPY TO STDOUT was abandoned
          // unread, and a server session left writing to a client that never reads
          // holds up every DROP DATABASE on PostgreSQL 15+ until the run is cleaned up.
          for (const worker of workers) worker.end().catch(() => {})
          throw err instanceof AppError
            ? err
            : new AppError('dump_failed', `Copying the data failed: ${(err as Error).message}`, {
                cause: err,
              })
        }
      }
    }),
  )
  return counts
}

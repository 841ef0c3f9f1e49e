import type pg from 'pg'
import { withPgClient } from '../db/with-pg-client.js'
import {
  type BenchTable,
  benchTables,
  constraintsSql,
  generatorSql,
  insertSql,
  rowCounts,
  schemaSql,
} from './bench-schema.js'

/** What was loaded and how big it is on disk. */
export interface BenchData {
  rows: Record<BenchTable, number>
  /** Sum of pg_relation_size over every table and partition holding rows (no indexes, no TOAST). */
  tableBytes: number
  /** Tables with rows, partitions counted one by one. */
  relations: number
}

/**
 * Create the bench schema in `url` (an empty database) and fill it at `scale`,
 * two tables at a time (one per core), then add the keys and vacuum so that
 * neither dump pays for hint bits on its first read.
 */
export async function createBenchData(
  url: string,
  scale: number,
  log: (line: string) => void,
): Promise<BenchData> {
  await withPgClient(url, (c) => c.query(schemaSql + generatorSql))
  const rows = rowCounts(scale)
  await loadRows(url, rowCounts(0), rows, log)
  await inParallel(benchTables, url, async (c, table) => {
    await c.query(constraintsSql[table])
  })
  return finish(url, rows, log)
}

/**
 * Grow an existing bench database from `fromScale` to `toScale`, for the
 * memory check: the same rows as a fresh load at `toScale` would hold.
 */
export async function growBenchData(
  url: string,
  fromScale: number,
  toScale: number,
  log: (line: string) => void,
): Promise<BenchData> {
  await withPgClient(url, (c) => c.query(generatorSql))
  const rows = rowCounts(toScale)
  await loadRows(url, rowCounts(fromScale), rows, log)
  return finish(url, rows, log)
}

async function loadRows(
  url: string,
  from: Record<BenchTable, number>,
  to: Record<BenchTable, number>,
  log: (line: string) => void,
): Promise<void> {
  const tables = [...benchTables].sort((a, b) => to[b] - to[a])
  await inParallel(tables, url, async (c, table) => {
    const started = performance.now()
    // Row numbers start at 1; a grown table continues where it stopped.
    const first = from[table] + 1
    await c.query(insertSql(table, to), [first, to[table] + 1])
    const seconds = (performance.now() - started) / 1000
    log(
      `  ${table}: ${(to[table] - first + 1).toLocaleString('en')} rows in ${seconds.toFixed(1)} s`,
    )
  })
}

async function finish(
  url: string,
  rows: Record<BenchTable, number>,
  log: (line: string) => void,
): Promise<BenchData> {
  const started = performance.now()
  await withPgClient(url, (c) => c.query('DROP SCHEMA bench_gen CASCADE'))
  const leaves = await withPgClient(url, async (c) => {
    const r = await c.query<{ name: string }>(
      "SELECT c.oid::regclass::text AS name FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace ORDER BY pg_relation_size(c.oid) DESC",
    )
    return r.rows.map((row) => row.name)
  })
  await inParallel(leaves, url, async (c, table) => {
    await c.query(`VACUUM (FREEZE, ANALYZE) ${table}`)
  })
  // ANALYZE of a partitioned parent gathers its own statistics; VACUUM of a leaf does not.
  await withPgClient(url, (c) => c.query('ANALYZE public.orders'))
  log(`  vacuum and analyze: ${((performance.now() - started) / 1000).toFixed(1)} s`)
  const tableBytes = await withPgClient(url, async (c) => {
    const r = await c.query<{ bytes: string }>(
      "SELECT sum(pg_relation_size(c.oid))::bigint AS bytes FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace",
    )
    return Number(r.rows[0]?.bytes ?? 0)
  })
  return { rows, tableBytes, relations: leaves.length }
}

/** Run `task` over `items` on two sessions: the machine has two cores. */
async function inParallel<T>(
  items: readonly T[],
  url: string,
  task: (client: pg.Client, item: T) => Promise<void>,
): Promise<void> {
  const queue = [...items]
  const worker = () =>
    withPgClient(url, async (c) => {
      await c.query('SET maintenance_work_mem = $$512MB$$')
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(c, item)
    })
  await Promise.all([worker(), worker()])
}

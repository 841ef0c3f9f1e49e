import type pg from 'pg'
import { runParallel } from './run-parallel.js'

/** A table (or partitioned table, or materialized view) to ANALYZE; partitions are in `parts`. */
interface TableToAnalyze {
  name: string
  ident: string
  kind: string
  /** It has an expression index or extended statistics (in its tree). */
  late: boolean
  /** Every partition in the tree (`schema.table`), and the same quoted. */
  parts: string[]
  partIdents: string[]
}

/** ANALYZE work on sessions of its own, which statements on its tables must not run beside. */
export interface SeparateWork {
  /**
   * The tables' schema-qualified, quoted names as pg_dump writes them (`public.orders`):
   * a statement that contains one of them waits until `run` is done.
   */
  tables: string[]
  run(): Promise<void>
}

/** What can be analyzed once the rows are committed, alongside the index builds. */
export interface AfterData {
  /** ANALYZE statements for any session. */
  statements: string[]
  separate: SeparateWork[]
}

/**
 * The ANALYZE work that can run as soon as the rows are committed, alongside
 * the index builds: every table or partitioned table not analyzed in its
 * loading session (`analyzed`), largest first. So is a partitioned table
 * whose partitions were loaded on their own (`loaded`: every table that
 * received rows). When every partition was analyzed while loading, only the
 * partitioned table's own statistics (sampled over the whole tree) are
 * computed, on two sessions of its own (`openSession`; see
 * `analyzeTreeOnly`); otherwise its ANALYZE also analyzes every partition.
 * The names of the tables are added to `analyzed`.
 */
export async function analyzeAfterData(
  main: pg.Client,
  analyzed: Set<string>,
  loaded: Iterable<string>,
  openSession: () => Promise<pg.Client>,
): Promise<AfterData> {
  const copied = new Set(loaded)
  const tables = (await tablesToAnalyze(main)).filter(
    (t) => t.kind !== 'm' && (!analyzed.has(t.name) || t.parts.some((p) => copied.has(p))),
  )
  const treeOnly = (t: TableToAnalyze) =>
    t.kind === 'p' && t.parts.length > 0 && t.parts.every((p) => analyzed.has(p))
  const after: AfterData = {
    statements: tables.filter((t) => !treeOnly(t)).map((t) => `ANALYZE ${t.ident}`),
    separate: tables.filter(treeOnly).map((t) => ({
      tables: [t.ident, ...t.partIdents],
      run: () => analyzeTreeOnly(t, openSession),
    })),
  }
  for (const t of tables) analyzed.add(t.name)
  return after
}

/**
 * ANALYZE a partitioned table without analyzing its partitions again.
 * PostgreSQL 15 has no ANALYZE ONLY: ANALYZE of a partitioned table samples
 * the tree for the table's own statistics, then analyzes every partition as
 * well (here that would double the cost: each partition was analyzed as soon
 * as it was loaded). ANALYZE (SKIP_LOCKED) leaves out, silently, each
 * partition it cannot lock at once: so one session (the holder) locks every
 * partition while another runs it, having locked the partitioned table itself
 * first (waiting if need be: that one must never be skipped). Sampling the
 * tree needs only ACCESS SHARE on the partitions, which the holder's lock
 * allows; but a statement waiting for a stronger lock on a partition (an
 * index build: those wait until this is done) would queue the sampling
 * behind it. Should the sampling still wait for a lock for long, this gives
 * up and runs the plain ANALYZE, partitions included, instead.
 */
async function analyzeTreeOnly(
  table: TableToAnalyze,
  openSession: () => Promise<pg.Client>,
): Promise<void> {
  const [client, holder] = await Promise.all([openSession(), openSession()])
  try {
    try {
      await holder.query('BEGIN')
      // It sits idle in its transaction while the other session samples: a server's
      // idle or statement timeout must not end it (and with it the whole restore).
      await holder.query(
        'SET LOCAL idle_in_transaction_session_timeout = 0; SET LOCAL statement_timeout = 0',
      )
      await holder.query(`LOCK TABLE ${table.partIdents.join(', ')} IN SHARE UPDATE EXCLUSIVE MODE`)
      await client.query('BEGIN')
      await client.query(`LOCK TABLE ONLY ${table.ident} IN SHARE UPDATE EXCLUSIVE MODE`)
      await client.query(`SET LOCAL lock_timeout = '${treeOnlyLockTimeoutMs}ms'`)
      await client.query(`ANALYZE (SKIP_LOCKED) ${table.ident}`)
      await client.query('COMMIT')
      // The holder wrote nothing: should its session be gone by now, nothing is lost.
      await holder.query('COMMIT').catch(() => {})
      return
    } catch (err) {
      if ((err as { code?: string }).code !== '55P03') throw err
      await client.query('ROLLBACK')
      await holder.query('ROLLBACK').catch(() => {})
    }
    await client.query(`ANALYZE ${table.ident}`)
  } finally {
    await Promise.all([client.end().catch(() => {}), holder.end().catch(() => {})])
  }
}

/** How long the partitioned table's own ANALYZE may wait for a lock on a partition. */
const treeOnlyLockTimeoutMs = 5000

/**
 * ANALYZE, over the sessions in parallel, what could not be analyzed before
 * the indexes and the rest of the dump: materialized views (refreshed by
 * then), tables not analyzed yet, and every table with an expression index
 * or extended statistics, whose statistics need the index or statistics
 * object the dump creates after the rows.
 */
export async function analyzeAfterIndexes(
  main: pg.Client,
  workers: pg.Client[],
  analyzed: ReadonlySet<string>,
): Promise<void> {
  const tables = (await tablesToAnalyze(main)).filter((t) => t.late || !analyzed.has(t.name))
  await runParallel([main, ...workers], tables, async (client, t) => {
    await client.query(`ANALYZE ${t.ident}`)
  })
}

/** Every table, partitioned table and materialized view but partitions, largest first. */
async function tablesToAnalyze(main: pg.Client): Promise<TableToAnalyze[]> {
  // The planner guesses 1,000 rows for each pg_partition_tree call, and past
  // jit_above_cost it compiles this small query first: 100-240 ms of the
  // server's CPU, twice a restore, while every other session waits.
  await main.query('SET jit = off')
  // pg_partition_tree lists nothing for a table that is not partitioned: the
  // tree is the table and its partitions, if any.
  const { rows } = await main.query<TableToAnalyze>(
    `WITH tables AS (
       SELECT c.oid, c.relkind::text AS kind, n.nspname || '.' || c.relname AS name,
              format('%I.%I', n.nspname, c.relname) AS ident
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'm', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg_toast%'
     ), trees AS (
       SELECT t.oid AS root, t.oid AS relid FROM tables t
        UNION SELECT t.oid, p.relid FROM tables t, pg_partition_tree(t.oid) p
     )
     SELECT t.name, t.ident, t.kind,
            ARRAY(SELECT pn.nspname || '.' || p.relname
                    FROM trees r JOIN pg_class p ON p.oid = r.relid
                    JOIN pg_namespace pn ON pn.oid = p.relnamespace
                   WHERE r.root = t.oid AND r.relid <> t.oid ORDER BY r.relid) AS parts,
            ARRAY(SELECT format('%I.%I', pn.nspname, p.relname)
                    FROM trees r JOIN pg_class p ON p.oid = r.relid
                    JOIN pg_namespace pn ON pn.oid = p.relnamespace
                   WHERE r.root = t.oid AND r.relid <> t.oid ORDER BY r.relid) AS "partIdents",
            EXISTS (SELECT 1 FROM trees r
                     WHERE r.root = t.oid
                       AND (EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = r.relid AND i.indexprs IS NOT NULL)
                            OR EXISTS (SELECT 1 FROM pg_statistic_ext s WHERE s.stxrelid = r.relid))) AS late
       FROM tables t
      ORDER BY (SELECT sum(pg_relation_size(r.relid)) FROM trees r WHERE r.root = t.oid) DESC`,
  )
  await main.query('RESET jit')
  return rows
}

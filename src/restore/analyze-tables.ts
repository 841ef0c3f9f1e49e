import type pg from 'pg'
import { runParallel } from './run-parallel.js'

/** A table (or partitioned table, or materialized view) to ANALYZE; partitions are in `parts`. */
interface TableToAnalyze {
  name: string
  ident: string
  kind: string
  /** It has an expression index or extended statistics (in its tree). */
  late: boolean
  parts: string[]
}

/**
 * The ANALYZE statements that can run as soon as the rows are committed,
 * alongside the index builds: every table or partitioned table not analyzed
 * in its loading session (`analyzed`), largest first. So is a partitioned
 * table whose partitions were loaded on their own (`loaded`: every table that
 * received rows). A partitioned table's ANALYZE also analyzes every
 * partition: partitions are not analyzed again on their own. The names of
 * the tables are added to `analyzed`.
 */
export async function analyzeAfterData(
  main: pg.Client,
  analyzed: Set<string>,
  loaded: Iterable<string>,
): Promise<string[]> {
  const copied = new Set(loaded)
  const tables = (await tablesToAnalyze(main)).filter(
    (t) => t.kind !== 'm' && (!analyzed.has(t.name) || t.parts.some((p) => copied.has(p))),
  )
  for (const t of tables) analyzed.add(t.name)
  return tables.map((t) => `ANALYZE ${t.ident}`)
}

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
                   WHERE r.root = t.oid AND r.relid <> t.oid) AS parts,
            EXISTS (SELECT 1 FROM trees r
                     WHERE r.root = t.oid
                       AND (EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = r.relid AND i.indexprs IS NOT NULL)
                            OR EXISTS (SELECT 1 FROM pg_statistic_ext s WHERE s.stxrelid = r.relid))) AS late
       FROM tables t
      ORDER BY (SELECT sum(pg_relation_size(r.relid)) FROM trees r WHERE r.root = t.oid) DESC`,
  )
  return rows
}

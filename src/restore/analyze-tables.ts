import type pg from 'pg'
import { runParallel } from './run-parallel.js'

/**
 * ANALYZE every table the load did not analyze already (`analyzed`: tables
 * analyzed in their loading session, by `schema.table`), over the sessions in
 * parallel, largest first so they finish together. A partitioned table's
 * ANALYZE also analyzes every partition: partitions are not analyzed again on
 * their own. A table with an expression index or extended statistics is
 * analyzed again now: those statistics need the index or the statistics
 * object, which the dump creates after the rows. So is a partitioned table
 * analyzed early when one of its partitions was loaded on its own (`loaded`:
 * every table that received rows), perhaps after that ANALYZE.
 */
export async function analyzeTables(
  main: pg.Client,
  workers: pg.Client[],
  analyzed: ReadonlySet<string>,
  loaded: Iterable<string>,
): Promise<void> {
  // pg_partition_tree lists nothing for a table that is not partitioned: the
  // tree is the table and its partitions, if any.
  const { rows } = await main.query<{
    name: string
    ident: string
    late: boolean
    parts: string[]
  }>(
    `WITH tables AS (
       SELECT c.oid, n.nspname || '.' || c.relname AS name, format('%I.%I', n.nspname, c.relname) AS ident
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'm', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg_toast%'
     ), trees AS (
       SELECT t.oid AS root, t.oid AS relid FROM tables t
        UNION SELECT t.oid, p.relid FROM tables t, pg_partition_tree(t.oid) p
     )
     SELECT t.name, t.ident,
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
  const copied = new Set(loaded)
  const tables = rows.filter(
    (t) => !analyzed.has(t.name) || t.late || t.parts.some((p) => copied.has(p)),
  )
  await runParallel([main, ...workers], tables, async (client, t) => {
    await client.query(`ANALYZE ${t.ident}`)
  })
}

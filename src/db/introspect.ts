import type pg from 'pg'
import type { Catalog, Column, ForeignKey, Sequence, Table, UniqueIndex } from './catalog.js'
import { columnInfo, type PgType } from './column-kind.js'

/** Schemas that belong to PostgreSQL itself; pg_dump skips them too. */
const systemSchemas = `n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'`

/** Not part of an extension (pg_dump leaves those to CREATE EXTENSION). */
const notInExtension = (alias: string) => `NOT EXISTS (
  SELECT 1 FROM pg_depend d
  WHERE d.classid = 'pg_class'::regclass AND d.objid = ${alias}.oid AND d.deptype = 'e')`

const tablesSql = `
SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind = 'p' AS partitioned,
  CASE WHEN c.relispartition THEN (
    SELECT rn.nspname || '.' || r.relname FROM pg_class r JOIN pg_namespace rn ON rn.oid = r.relnamespace
    WHERE r.oid = pg_partition_root(c.oid)) END AS partition_root,
  pg_relation_size(c.oid)::float8 AS bytes
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND c.relpersistence <> 't' AND ${systemSchemas} AND ${notInExtension('c')}
ORDER BY n.nspname, c.relname`

const columnsSql = `
SELECT a.attrelid::int AS table_oid, a.attname AS name, a.atttypid::int AS type_oid, a.atttypmod AS typmod,
  format_type(a.atttypid, a.atttypmod) AS display, a.attnotnull AS not_null, a.attgenerated <> '' AS generated
FROM pg_attribute a
WHERE a.attrelid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum`

const typesSql = `
SELECT t.oid::int AS oid, t.typname AS name, n.nspname AS schema, t.typtype AS typtype,
  t.typcategory AS category, t.typbasetype::int AS base_type, t.typtypmod AS typmod, t.typelem::int AS element_type
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace`

const uniqueIndexesSql = `
SELECT i.indrelid::int AS table_oid, ic.relname AS name,
  ARRAY(SELECT a.attname::text FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum > 0 AND (
    a.attnum = ANY(i.indkey) OR a.attnum IN (
      SELECT d.refobjsubid FROM pg_depend d
      WHERE d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
        AND d.refclassid = 'pg_class'::regclass AND d.refobjid = i.indrelid))
    ORDER BY a.attnum) AS columns
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE i.indisunique AND i.indrelid = ANY($1::oid[])`

const foreignKeysSql = `
SELECT c.conname AS name, c.conrelid::int AS table_oid, rn.nspname || '.' || r.relname AS references,
  ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(num, ord)
    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.num ORDER BY k.ord) AS columns,
  ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(num, ord)
    JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.num ORDER BY k.ord) AS referenced_columns
FROM pg_constraint c JOIN pg_class r ON r.oid = c.confrelid JOIN pg_namespace rn ON rn.oid = r.relnamespace
WHERE c.contype = 'f' AND c.conparentid = 0 AND c.conrelid = ANY($1::oid[])`

const sequencesSql = `
SELECT n.nspname AS schema, c.relname AS name
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'S' AND ${systemSchemas} AND ${notInExtension('c')}
ORDER BY n.nspname, c.relname`

/** Read everything the rules check and the planner need, in the caller's transaction. */
export async function introspect(client: pg.Client): Promise<Catalog> {
  const server = await client.query<{ database: string; version: string; num: string }>(
    `SELECT current_database() AS database, current_setting('server_version') AS version,
      current_setting('server_version_num') AS num`,
  )
  const tableRows = (await client.query(tablesSql)).rows
  const oids = tableRows.map((t) => t.oid)
  // One query at a time: a pg client runs them in turn anyway.
  const columnRows = await client.query(columnsSql, [oids])
  const typeRows = await client.query(typesSql)
  const uniqueRows = await client.query(uniqueIndexesSql, [oids])
  const fkRows = await client.query(foreignKeysSql, [oids])
  const sequenceRows = await client.query(sequencesSql)
  const largeObjects = await client.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_largeobject_metadata',
  )
  const types = new Map<number, PgType>(
    typeRows.rows.map((t) => [
      t.oid,
      {
        oid: t.oid,
        name: t.name,
        schema: t.schema,
        typtype: t.typtype,
        category: t.category,
        baseType: t.base_type,
        typmod: t.typmod,
        elementType: t.element_type,
      },
    ]),
  )

  const columns = groupBy(
    columnRows.rows,
    (r) => r.table_oid,
    (r): Column => ({
      ...columnInfo(types, r.type_oid, r.typmod, r.display),
      name: r.name,
      notNull: r.not_null,
      generated: r.generated,
    }),
  )
  const uniques = groupBy(
    uniqueRows.rows,
    (r) => r.table_oid,
    (r): UniqueIndex => ({
      name: r.name,
      columns: r.columns,
    }),
  )
  const fks = groupBy(
    fkRows.rows,
    (r) => r.table_oid,
    (r): ForeignKey => ({
      name: r.name,
      columns: r.columns,
      references: r.references,
      referencedColumns: r.referenced_columns,
    }),
  )

  const tables: Table[] = tableRows.map((t) => ({
    oid: t.oid,
    schema: t.schema,
    name: t.name,
    qualified: `${t.schema}.${t.name}`,
    partitioned: t.partitioned,
    partitionRoot: t.partition_root,
    columns: columns.get(t.oid) ?? [],
    uniqueIndexes: uniques.get(t.oid) ?? [],
    foreignKeys: fks.get(t.oid) ?? [],
    bytes: t.bytes,
  }))
  const sequences: Sequence[] = sequenceRows.rows.map((s) => ({
    schema: s.schema,
    name: s.name,
    qualified: `${s.schema}.${s.name}`,
  }))

  const row = server.rows[0]
  if (!row) throw new Error('the server returned no row for current_database()')
  return {
    database: row.database,
    serverVersion: row.version,
    serverVersionNum: Number(row.num),
    systemIdentifier: await readSystemIdentifier(client),
    tables,
    sequences,
    largeObjects: largeObjects.rows[0]?.n ?? 0,
  }
}

/** `pg_control_system()` is often limited to superusers and pg_monitor: a refusal is not an error. */
async function readSystemIdentifier(client: pg.Client): Promise<string | null> {
  await client.query('SAVEPOINT dumpling_sysid')
  try {
    const r = await client.query<{ id: string }>(
      'SELECT system_identifier::text AS id FROM pg_control_system()',
    )
    await client.query('RELEASE SAVEPOINT dumpling_sysid')
    return r.rows[0]?.id ?? null
  } catch {
    await client.query('ROLLBACK TO SAVEPOINT dumpling_sysid')
    return null
  }
}

function groupBy<R, K, V>(rows: R[], key: (r: R) => K, map: (r: R) => V): Map<K, V[]> {
  const out = new Map<K, V[]>()
  for (const r of rows) {
    const k = key(r)
    const list = out.get(k)
    if (list) list.push(map(r))
    else out.set(k, [map(r)])
  }
  return out
}

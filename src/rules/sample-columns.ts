import type pg from 'pg'
import type { Catalog, Column, Table } from '../db/catalog.js'
import { quoteIdent, quoteQualified } from '../db/sql-names.js'

/** Rows sampled per column by `dumpling init`. */
export const initSampleRows = 300

/** Sampled values (text form, never NULL) by `sampleKey(table, column)`. */
export type ColumnSamples = ReadonlyMap<string, readonly string[]>

export function sampleKey(table: string, column: string): string {
  return `${table}\u0000${column}`
}

/**
 * Read up to a few hundred values of every text, json and text-array column
 * of every table (a partitioned table through its partitions), in the
 * caller's read-only transaction. Values stay in memory for classification
 * and are never written anywhere.
 */
export async function sampleColumns(client: pg.Client, catalog: Catalog): Promise<ColumnSamples> {
  const samples = new Map<string, string[]>()
  for (const table of catalog.tables) {
    if (table.partitionRoot) continue
    for (const column of table.columns) {
      const sql = sampleSql(table, column)
      if (!sql) continue
      const { rows } = await client.query<{ v: string | null }>(sql)
      samples.set(
        sampleKey(table.qualified, column.name),
        rows.flatMap((r) => (r.v === null ? [] : [r.v])),
      )
    }
  }
  return samples
}

function sampleSql(table: Table, column: Column): string | null {
  if (column.generated) return null
  const name = quoteIdent(column.name)
  const from = `FROM ${table.partitioned ? '' : 'ONLY '}${quoteQualified(table.schema, table.name)}`
  const where = `WHERE ${name} IS NOT NULL LIMIT ${initSampleRows}`
  if (column.kind === 'text' || column.kind === 'json') {
    return `SELECT ${name}::text AS v ${from} ${where}`
  }
  if (column.kind === 'array' && column.element?.kind === 'text') {
    return `SELECT unnest(${name})::text AS v ${from} ${where}`
  }
  return null
}

import type pg from 'pg'
import { quoteIdent, quoteQualified } from '../db/sql-names.js'
import type { PlannedColumn, PlannedTable } from '../rules/check-rules.js'
import type { ColumnKind } from '../transformers/index.js'
import { parseJsonPath } from '../transformers/json-path.js'
import { jsonLeaves } from './json-leaves.js'
import { type SkipReason, skipReason } from './leak-patterns.js'

/** Distinct originals searched for per transformed column. */
export const valuesPerColumn = 1000
/** Rows read per table and column to find them (and to tell common values). */
const sampleRows = 5_000
/** Kinds whose text can be told apart from other data; numbers and dates recur by chance. */
const textKinds: readonly ColumnKind[] = ['text', 'uuid', 'inet', 'bytea', 'other']

/** The originals of one transformed column (all partitions of a table together). */
export interface SampledColumn {
  /** `schema.table.column` of the rules. */
  source: string
  values: string[]
}

export interface Samples {
  columns: SampledColumn[]
  skipped: Record<SkipReason, number>
  /** Transformed columns that are not text (numbers, dates, booleans): not searched for. */
  notText: string[]
}

/**
 * Read originals from every column the rules transform, in the caller's
 * (read-only, possibly snapshot-pinned) transaction: up to 1,000 distinct
 * values each, without the ones too short, too common or indistinguishable
 * from a fake to mean anything. JSON columns give the strings at their rule's
 * paths; arrays give their elements.
 */
export async function sampleOriginals(
  client: pg.Client,
  tables: readonly PlannedTable[],
): Promise<Samples> {
  const counts = new Map<string, { values: Map<string, number>; rows: number }>()
  const notText = new Set<string>()
  for (const planned of tables) {
    if (planned.data !== 'dump') continue
    for (const column of planned.columns) {
      if (column.compiled.name === 'keep') continue
      const source = `${planned.rulesFrom}.${column.column.name}`
      let entry = counts.get(source)
      // Partitions share their parent's rules: sample rows across them up to the limit.
      const limit = sampleRows - (entry?.rows ?? 0)
      if (limit <= 0) continue
      const read = sampleQuery(planned, column, limit)
      if (!read) {
        notText.add(source)
        continue
      }
      if (!entry) {
        entry = { values: new Map(), rows: 0 }
        counts.set(source, entry)
      }
      const result = await client.query<{ v: string | null }>(read.sql)
      for (const row of result.rows) {
        if (row.v === null) continue
        entry.rows++
        for (const value of read.values(row.v)) {
          entry.values.set(value, (entry.values.get(value) ?? 0) + 1)
        }
      }
    }
  }
  const skipped: Record<SkipReason, number> = { short: 0, common: 0, fake: 0 }
  const columns: SampledColumn[] = []
  for (const [source, { values, rows }] of counts) {
    const kept: string[] = []
    for (const [value, count] of values) {
      if (kept.length >= valuesPerColumn) break
      const reason = skipReason(value, count, rows)
      if (reason) skipped[reason]++
      else kept.push(value)
    }
    columns.push({ source, values: kept })
  }
  return { columns, skipped, notText: [...notText] }
}

interface SampleQuery {
  sql: string
  /** The originals in one row's text. */
  values(text: string): string[]
}

function sampleQuery(
  planned: PlannedTable,
  { column, spec }: PlannedColumn,
  limit: number,
): SampleQuery | null {
  const from = `FROM ONLY ${quoteQualified(planned.table.schema, planned.table.name)}`
  const name = quoteIdent(column.name)
  const where = `WHERE ${name} IS NOT NULL LIMIT ${limit}`
  if (column.kind === 'json') {
    const paths =
      typeof spec === 'object' && spec.transform === 'json' && spec.paths
        ? Object.keys(spec.paths as Record<string, unknown>).map(parseJsonPath)
        : [[]]
    return {
      sql: `SELECT ${name}::text AS v ${from} ${where}`,
      values: (text) => {
        let doc: unknown
        try {
          doc = JSON.parse(text)
        } catch {
          // V8's message quotes the text: never let it reach an error.
          return []
        }
        const out: string[] = []
        for (const steps of paths) jsonLeaves(doc, steps, out)
        return out
      },
    }
  }
  if (column.kind === 'array') {
    if (!column.element || !textKinds.includes(column.element.kind)) return null
    return { sql: `SELECT unnest(${name})::text AS v ${from} ${where}`, values: (v) => [v] }
  }
  if (!textKinds.includes(column.kind)) return null
  return { sql: `SELECT ${name}::text AS v ${from} ${where}`, values: (v) => [v] }
}

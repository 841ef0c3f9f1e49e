import { quoteQualified } from '../db/sql-names.js'
import { withPgClient } from '../db/with-pg-client.js'
import { parseJsonPath } from '../transformers/json-path.js'
import { jsonPaths, type TransformedColumn } from './rule-summary.js'

/** One personal value, before and after: `public.users`, `email`, row id `1`. */
export interface ComparedValue {
  table: string
  /** The column, or `column $.json.path`. */
  column: string
  rowId: string
  production: string
  restored: string
}

/** Rows shown per table (by id): two users, one of everything else. */
const rowsShown = (table: string) => (table === 'public.users' ? 2 : 1)

/**
 * The same rows, by id, from production and from the restored database: every
 * transformed column (each path of a json rule), production value next to restored.
 */
export async function compareRows(
  productionUrl: string,
  restoredUrl: string,
  transformed: readonly TransformedColumn[],
): Promise<ComparedValue[]> {
  const tables = [...new Set(transformed.map((c) => c.table))]
  const out: ComparedValue[] = []
  for (const table of tables) {
    const [schema = '', name = ''] = table.split('.')
    const sql = `SELECT to_jsonb(t) AS row FROM ${quoteQualified(schema, name)} t ORDER BY t.id LIMIT ${rowsShown(table)}`
    const read = (url: string) =>
      withPgClient(url, async (c) => (await c.query<{ row: Row }>(sql)).rows.map((r) => r.row))
    const before = await read(productionUrl)
    const after = await read(restoredUrl)
    before.forEach((row, i) => {
      const fake = after[i] ?? {}
      for (const { column, spec } of transformed.filter((c) => c.table === table)) {
        const paths = jsonPaths(spec)
        const pairs = paths
          ? paths.map((path) => ({
              column: `${column} ${path}`,
              production: valueAt(row[column], path),
              restored: valueAt(fake[column], path),
            }))
          : [{ column, production: row[column], restored: fake[column] }]
        for (const pair of pairs) {
          out.push({
            table,
            column: pair.column,
            rowId: String(row.id),
            production: text(pair.production),
            restored: text(pair.restored),
          })
        }
      }
    })
  }
  return out
}

/** `count(*)` of each table in both databases. */
export async function countRows(
  productionUrl: string,
  restoredUrl: string,
  tables: readonly string[],
): Promise<Array<{ table: string; production: number; restored: number }>> {
  const sql = tables
    .map((table, i) => {
      const [schema = '', name = ''] = table.split('.')
      return `(SELECT count(*)::int FROM ${quoteQualified(schema, name)}) AS c${i}`
    })
    .join(', ')
  const read = (url: string) =>
    withPgClient(url, async (c) => Object.values((await c.query(`SELECT ${sql}`)).rows[0] ?? {}))
  const [before, after] = [await read(productionUrl), await read(restoredUrl)]
  return tables.map((table, i) => ({
    table,
    production: Number(before[i]),
    restored: Number(after[i]),
  }))
}

type Row = Record<string, unknown>

/** The first value a simple JSON path (`$.a.b`, `$.list[0]`) reaches, or undefined. */
function valueAt(doc: unknown, path: string): unknown {
  let node = doc
  for (const step of parseJsonPath(path)) {
    if (step.select === null || step.descend || node === null || typeof node !== 'object') {
      return undefined
    }
    node = (node as Record<string | number, unknown>)[step.select]
  }
  return node
}

function text(value: unknown): string {
  if (value === undefined) return '(missing)'
  if (value === null) return 'NULL'
  return typeof value === 'string' ? value : JSON.stringify(value)
}

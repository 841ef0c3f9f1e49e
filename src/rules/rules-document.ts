import { type Document, isMap, isScalar, type Node, parseDocument, Scalar, YAMLMap } from 'yaml'
import type { ColumnSuggestion, TableSuggestion } from './suggest-rules.js'

/**
 * A new rules document: every table and column with its suggested rule, the
 * why as a line comment, and `data: skip` commented out where it may fit.
 */
export function createRulesDocument(
  suggestions: readonly TableSuggestion[],
  header: string,
): Document {
  const doc = parseDocument('tables: {}\n')
  const tables = doc.get('tables', true) as YAMLMap
  tables.flow = false
  for (const s of suggestions) tables.add(doc.createPair(s.table, tableNode(doc, s, null)))
  doc.commentBefore = header
  return doc
}

/**
 * Add what is new since the file was written: tables it does not list, and
 * columns a listed table does not have (not for `data: skip` tables, nor
 * generated columns, which need no rule). Every
 * other line, comment and edit stays as it is. `prefix` is where `tables:`
 * lives (`[]` in a rules file, `['rules']` inside dumpling.yml). Returns the
 * added `schema.table.column` names; throws when `tables` is not a map.
 */
export function addMissing(
  doc: Document,
  prefix: readonly string[],
  suggestions: readonly TableSuggestion[],
  note: string,
): string[] {
  const tables = doc.getIn([...prefix, 'tables'], true)
  if (!isMap(tables)) throw new Error(`${[...prefix, 'tables'].join('.')} is not a map of tables`)
  const added: string[] = []
  for (const s of suggestions) {
    const table = findIn(tables, s.table)
    if (table === undefined) {
      const pair = doc.createPair(s.table, tableNode(doc, s, note))
      ;(pair.key as Node).commentBefore = ` ${note}`
      tables.add(pair)
      added.push(...s.columns.map((c) => `${s.table}.${c.name}`))
      continue
    }
    if (!isMap(table)) continue
    const data = findIn(table, 'data')
    if (isScalar(data) && data.value === 'skip') continue
    let columns = findIn(table, 'columns')
    if (columns === undefined || (isScalar(columns) && columns.value === null)) {
      columns = new YAMLMap()
      table.set('columns', columns)
    }
    if (!isMap(columns)) continue
    for (const c of s.columns) {
      // A generated column needs no rule: one left out on purpose stays out.
      if (c.generated || findIn(columns, c.name) !== undefined) continue
      columns.add(doc.createPair(c.name, specNode(doc, c, note)))
      added.push(`${s.table}.${c.name}`)
    }
  }
  return added
}

function findIn(map: YAMLMap, key: string): unknown {
  const pair = map.items.find((p) => (isScalar(p.key) ? String(p.key.value) : p.key) === key)
  return pair === undefined ? undefined : (pair.value ?? null)
}

function tableNode(doc: Document, s: TableSuggestion, note: string | null): YAMLMap {
  const columns = new YAMLMap()
  for (const c of s.columns) columns.add(doc.createPair(c.name, specNode(doc, c, note)))
  const table = new YAMLMap()
  const pair = doc.createPair('columns', columns)
  if (s.skipHint) (pair.key as Node).commentBefore = ` ${s.skipHint}`
  table.add(pair)
  return table
}

function specNode(doc: Document, c: ColumnSuggestion, note: string | null): Node {
  const why = [note, c.why].filter((w) => w !== null).join(': ')
  const comment = why ? ` ${why}` : null
  if (typeof c.spec === 'string') {
    const scalar = new Scalar(c.spec)
    if (comment) scalar.comment = comment
    return scalar
  }
  const node = doc.createNode(c.spec) as YAMLMap
  if (c.paths && c.spec.transform === 'json') {
    const transform = node.get('transform', true) as Scalar
    if (comment) transform.comment = comment
    const paths = node.get('paths', true) as unknown as YAMLMap
    for (const p of c.paths) {
      const value: unknown = paths.get(p.path, true)
      if (isScalar(value)) value.comment = ` ${p.why}`
      else if (isMap(value)) value.flow = true
    }
    return node
  }
  node.flow = true
  if (comment) node.comment = comment
  return node
}

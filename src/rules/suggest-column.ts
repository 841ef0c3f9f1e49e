import type { Column, Table } from '../db/catalog.js'
import type { ColumnInfo, RuleSpec } from '../transformers/index.js'
import { nameHint } from './name-hints.js'
import { specForCategory, specForValueKind } from './spec-for-category.js'
import {
  containedKinds,
  hasNamePair,
  type ValueKind,
  valueKindNames,
  wholeValueKind,
} from './value-hints.js'

/** A suggested rule before it is checked against the column: what and why. */
export interface Candidate {
  spec: RuleSpec
  why: string
}

/** JSON paths suggested for a json column, each with its own why. */
export interface PathSuggestion {
  path: string
  spec: RuleSpec
  why: string
}

const pct = (n: number, of: number) => `${Math.round((100 * n) / of)} %`

/**
 * What a column's name and sampled values suggest, most telling first. The
 * reasons give matched name words, shares and counts, never a value.
 */
export function columnCandidates(
  table: Table,
  column: Column,
  values: readonly string[],
): Candidate[] {
  const out: Candidate[] = []
  const evidence = valueEvidence(values)
  const hint = nameHint(column.name, table.name)
  const byName = hint ? specForCategory(hint.category, column) : null
  if (hint && byName !== null) {
    out.push({ spec: byName, why: withEvidence(`the name matches "${hint.matched}"`, evidence) })
  }
  if (evidence) {
    const spec = column.kind === 'array' ? wrapArray(evidence.spec, column) : evidence.spec
    if (spec !== null) out.push({ spec, why: evidence.why })
  }
  if (column.kind === 'inet' && !hint)
    out.push({ spec: 'ip', why: 'an inet column holds IP addresses' })
  return out
}

/** The name's reason, plus what the values showed when that is more than name-like words. */
function withEvidence(why: string, evidence: Candidate | null): string {
  return evidence && evidence.spec !== 'redact' ? `${why}; ${evidence.why}` : why
}

function wrapArray(each: RuleSpec, column: ColumnInfo): RuleSpec | null {
  return column.element?.kind === 'text' ? { transform: 'array', each } : null
}

/** What sampled text values look like, as a suggestion, or null when nothing stands out. */
export function valueEvidence(values: readonly string[]): Candidate | null {
  const n = values.length
  if (n === 0) return null
  const whole = new Map<ValueKind, number>()
  const contained = new Map<ValueKind, number>()
  let containing = 0
  let names = 0
  for (const value of values) {
    const kind = wholeValueKind(value)
    if (kind) {
      whole.set(kind, (whole.get(kind) ?? 0) + 1)
      continue
    }
    const kinds = containedKinds(value)
    if (kinds.length > 0) containing++
    for (const k of kinds) contained.set(k, (contained.get(k) ?? 0) + 1)
    if (hasNamePair(value)) names++
  }
  const [topKind, topCount] = [...whole].sort((a, b) => b[1] - a[1])[0] ?? [null, 0]
  if (topKind && topCount >= n / 2) {
    return {
      spec: specForValueKind(topKind),
      why: `${pct(topCount, n)} of ${n} sampled values looked like ${valueKindNames[topKind]}`,
    }
  }
  if (containing > 0) {
    const kinds = [...contained.keys()].map((k) => valueKindNames[k]).join(', ')
    return {
      spec: 'text',
      why: `free text: ${pct(containing, n)} of ${n} sampled values contain ${kinds}`,
    }
  }
  if (names >= n * 0.3) {
    return {
      spec: 'redact',
      why: `${pct(names, n)} of ${n} sampled values hold capitalised word pairs, as names do`,
    }
  }
  return null
}

/** A JSON key that may be written into the rules file: it reads like a schema name, not a value. */
const safeKey = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/

interface PathStats {
  key: string
  parent: string
  strings: string[]
}

/** Personal-looking paths of sampled JSON documents, by key names and by string values. */
export function jsonPathSuggestions(documents: readonly string[], context = ''): PathSuggestion[] {
  const stats = new Map<string, PathStats>()
  for (const text of documents) {
    let doc: unknown
    try {
      doc = JSON.parse(text)
    } catch {
      continue
    }
    walk(doc, '$', '', context, stats)
  }
  const out: PathSuggestion[] = []
  for (const [path, s] of stats) {
    const hint = nameHint(s.key, s.parent)
    const byName = hint ? specForCategory(hint.category, textLeaf) : null
    const evidence = valueEvidence(s.strings)
    if (hint && byName !== null) {
      out.push({
        path,
        spec: byName,
        why: withEvidence(`the key matches "${hint.matched}"`, evidence),
      })
    } else if (evidence) {
      out.push({ path, spec: evidence.spec, why: evidence.why })
    }
  }
  return out.slice(0, 50)
}

const textLeaf: ColumnInfo = { kind: 'text', type: 'text', maxLength: null }

function walk(
  node: unknown,
  path: string,
  key: string,
  parent: string,
  stats: Map<string, PathStats>,
) {
  if (typeof node === 'string') {
    let s = stats.get(path)
    if (!s) {
      s = { key, parent, strings: [] }
      stats.set(path, s)
    }
    s.strings.push(node)
    return
  }
  if (Array.isArray(node)) {
    for (const child of node) walk(child, `${path}[*]`, key, parent, stats)
    return
  }
  if (node !== null && typeof node === 'object') {
    for (const [k, child] of Object.entries(node)) {
      const safe = safeKey.test(k) && wholeValueKind(k) === null
      walk(child, safe ? `${path}.${k}` : `${path}.*`, safe ? k : '', key || parent, stats)
    }
  }
}

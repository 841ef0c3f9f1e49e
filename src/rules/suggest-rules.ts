import type { Catalog, Column, Table } from '../db/catalog.js'
import type { Compiler, RuleSpec } from '../transformers/index.js'
import { looksDisposable } from './name-hints.js'
import { type ColumnSamples, sampleKey } from './sample-columns.js'
import { notNullSpec, uniqueSpec } from './spec-for-category.js'
import {
  type Candidate,
  columnCandidates,
  jsonPathSuggestions,
  type PathSuggestion,
} from './suggest-column.js'

export interface ColumnSuggestion {
  name: string
  spec: RuleSpec
  /** One line: why this rule (never a sampled value); null for a plain keep. */
  why: string | null
  /** For a json rule: each path's own why. */
  paths?: PathSuggestion[]
  /** A generated column: listed as keep for completeness, never needed by check. */
  generated?: boolean
}

export interface TableSuggestion {
  /** `schema.table`, the rules' key. */
  table: string
  /** Why `data: skip` is worth considering (sessions, tokens, logs), or null. */
  skipHint: string | null
  columns: ColumnSuggestion[]
}

/**
 * A rule for every column of every table (partitions follow their parent), so
 * that `checkRules` passes at once: each candidate is compiled for its column,
 * swapped for a unique-preserving one under a unique index and for a non-NULL
 * one on a NOT NULL column, and foreign keys get the rule of the column they
 * reference. Pure: the catalog, the samples and a compiler in.
 */
export function suggestRules(
  catalog: Catalog,
  samples: ColumnSamples,
  compile: Compiler,
): TableSuggestion[] {
  const tables = catalog.tables.filter((t) => !t.partitionRoot)
  const suggestions = tables.map((table) => ({
    table: table.qualified,
    skipHint: skipHint(table),
    columns: table.columns.map((column) =>
      suggestColumn(
        table,
        column,
        samples.get(sampleKey(table.qualified, column.name)) ?? [],
        compile,
      ),
    ),
  }))
  followForeignKeys(tables, suggestions)
  return suggestions
}

function skipHint(table: Table): string | null {
  const word = looksDisposable(table.name)
  return word
    ? `data: skip   # the name says "${word}": rows like these are rarely needed in development. Uncomment to dump the schema only.`
    : null
}

function suggestColumn(
  table: Table,
  column: Column,
  values: readonly string[],
  compile: Compiler,
): ColumnSuggestion {
  const name = column.name
  if (column.generated) {
    return { name, spec: 'keep', why: 'generated column: recomputed on restore', generated: true }
  }
  const unique = table.uniqueIndexes.find((i) => i.columns.includes(name))?.name ?? null
  let candidates: Candidate[]
  let paths: PathSuggestion[] | undefined
  if (column.kind === 'json') {
    paths = jsonPathSuggestions(values, `${table.name} ${column.name}`)
    candidates =
      paths.length === 0
        ? []
        : [
            {
              spec: {
                transform: 'json',
                paths: Object.fromEntries(paths.map((p) => [p.path, p.spec])),
              },
              why: `${paths.length} path${paths.length === 1 ? '' : 's'} in ${values.length} sampled documents look personal`,
            },
          ]
  } else {
    candidates = columnCandidates(table, column, values)
  }
  for (const candidate of candidates) {
    const fitted = fitCandidate(candidate, column, unique, compile)
    if (fitted) return { name, ...fitted, ...(paths && fitted.spec !== 'keep' ? { paths } : {}) }
  }
  if (candidates[0]) {
    return {
      name,
      spec: 'keep',
      why: `REVIEW: ${candidates[0].why}, but no transformer fits ${column.type}${unique ? ` under unique index ${unique}` : ''}`,
    }
  }
  return { name, spec: 'keep', why: null }
}

/** The candidate made valid for the column (type, unique index, NOT NULL), or null. */
function fitCandidate(
  candidate: Candidate,
  column: Column,
  unique: string | null,
  compile: Compiler,
): Candidate | null {
  let { spec, why } = candidate
  const compiled = tryCompile(spec, column, compile)
  if (!compiled) return null
  if (unique && !compiled.unique) {
    const swap = uniqueSpec(column)
    if (swap === null || !tryCompile(swap, column, compile)) return null
    spec = swap
    why = `${why}; under unique index ${unique}, so a unique transformer`
  } else if (column.notNull && compiled.nullable) {
    const swap = notNullSpec(column)
    if (swap === null || !tryCompile(swap, column, compile)) return null
    spec = swap
    why = `${why}; NOT NULL, so not null`
  }
  return { spec, why }
}

function tryCompile(
  spec: RuleSpec,
  column: Column,
  compile: Compiler,
): { unique: boolean; nullable: boolean } | null {
  try {
    const { transformer } = compile(spec, column)
    return { unique: transformer.unique, nullable: transformer.nullable }
  } catch {
    return null
  }
}

/** A referencing column takes the referenced column's rule, or the foreign key stops matching. */
function followForeignKeys(tables: readonly Table[], suggestions: TableSuggestion[]): void {
  const byTable = new Map(suggestions.map((s) => [s.table, s]))
  // Chains (a → b → c) settle within a few passes.
  for (let pass = 0; pass < 4; pass++) {
    for (const table of tables) {
      const own = byTable.get(table.qualified)
      for (const fk of table.foreignKeys) {
        const referenced = byTable.get(fk.references)
        if (!own || !referenced) continue
        fk.columns.forEach((name, i) => {
          const mine = own.columns.find((c) => c.name === name)
          const theirs = referenced.columns.find((c) => c.name === fk.referencedColumns[i])
          if (!mine || !theirs || JSON.stringify(mine.spec) === JSON.stringify(theirs.spec)) return
          mine.spec = theirs.spec
          mine.why = `follows foreign key ${fk.name} to ${fk.references}.${theirs.name}`
          if (theirs.paths) mine.paths = theirs.paths
          else delete mine.paths
        })
      }
    }
  }
}

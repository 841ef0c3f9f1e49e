import type { Catalog, Column, Table } from '../db/catalog.js'
import type { Compiled, Compiler, RuleSpec } from '../transformers/index.js'
import type { Rules, TableRules } from './rules-schema.js'

/** One thing wrong with the rules, with where it is and how to fix it. */
export interface Problem {
  /** `schema.table` or `schema.table.column`. */
  subject: string
  /** `file:line:col` of the rule involved, when there is one. */
  location: string | null
  message: string
}

/** A column of a table whose rows are dumped, with its compiled rule. */
export interface PlannedColumn {
  column: Column
  spec: RuleSpec
  compiled: Compiled
}

/** A table that holds rows (a plain table or a leaf partition) and what to do with them. */
export interface PlannedTable {
  table: Table
  /** The table whose rules apply: itself, or the partition root. */
  rulesFrom: string
  data: 'dump' | 'skip'
  /** Non-generated columns in table order (empty when data is skipped). */
  columns: PlannedColumn[]
}

export interface CheckResult {
  problems: Problem[]
  tables: PlannedTable[]
}

/**
 * Compare the rules with the live schema. Reports every problem at once; the
 * snapshot reads no row unless this returns none. Pure: the catalog and a
 * compiler in, problems and a per-table plan out.
 */
export function checkRules(
  rules: Rules,
  catalog: Catalog,
  compile: Compiler,
  locate: (path: readonly PropertyKey[]) => string | null = () => null,
): CheckResult {
  const problems: Problem[] = []
  const report = (subject: string, path: readonly PropertyKey[] | null, message: string) =>
    problems.push({ subject, location: path ? locate(path) : null, message })
  const byName = new Map(catalog.tables.map((t) => [t.qualified, t]))

  for (const name of Object.keys(rules.tables)) {
    const table = byName.get(name)
    if (!table) {
      report(name, ['tables', name], `no such table. ${closest(name, [...byName.keys()])}`)
    } else if (table.partitionRoot) {
      report(
        name,
        ['tables', name],
        `is a partition of ${table.partitionRoot}; its rules come from there. Move them under ${table.partitionRoot}.`,
      )
    }
  }

  /** Compiled rules of every root table, by column name. */
  const compiledRoots = new Map<string, Map<string, PlannedColumn>>()
  for (const table of catalog.tables) {
    if (table.partitionRoot) continue
    const tableRules = rules.tables[table.qualified]
    if (!tableRules) {
      const columns = table.columns.filter((c) => !c.generated).map((c) => c.name)
      report(
        table.qualified,
        null,
        `has no rules. Add it under rules.tables with every column classified (${columns.join(', ')}), or with "data: skip" to keep its schema only.`,
      )
      continue
    }
    compiledRoots.set(table.qualified, checkTable(table, tableRules, compile, report))
  }

  checkForeignKeys(rules, catalog, report)

  const tables: PlannedTable[] = []
  for (const table of catalog.tables) {
    if (table.partitioned) continue
    const rulesFrom = table.partitionRoot ?? table.qualified
    const tableRules = rules.tables[rulesFrom]
    const compiled = compiledRoots.get(rulesFrom)
    if (!tableRules || !compiled) continue
    const data = tableRules.data
    const columns =
      data === 'skip'
        ? []
        : table.columns
            .filter((c) => !c.generated)
            .flatMap((c) => {
              const planned = compiled.get(c.name)
              return planned ? [{ ...planned, column: c }] : []
            })
    tables.push({ table, rulesFrom, data, columns })
  }
  problems.sort((a, b) => a.subject.localeCompare(b.subject))
  return { problems, tables }
}

type Report = (subject: string, path: readonly PropertyKey[] | null, message: string) => void

function checkTable(
  table: Table,
  tableRules: TableRules,
  compile: Compiler,
  report: Report,
): Map<string, PlannedColumn> {
  const planned = new Map<string, PlannedColumn>()
  const t = table.qualified
  const columnNames = table.columns.map((c) => c.name)
  for (const name of Object.keys(tableRules.columns)) {
    if (!columnNames.includes(name)) {
      report(
        `${t}.${name}`,
        ['tables', t, 'columns', name],
        `no such column. Columns: ${columnNames.join(', ')}.`,
      )
    }
  }
  if (tableRules.data === 'skip') return planned

  const uniqueColumns = new Map<string, string>()
  for (const index of table.uniqueIndexes) {
    for (const c of index.columns) if (!uniqueColumns.has(c)) uniqueColumns.set(c, index.name)
  }

  for (const column of table.columns) {
    const subject = `${t}.${column.name}`
    const path = ['tables', t, 'columns', column.name]
    const spec = tableRules.columns[column.name]
    if (column.generated) {
      if (spec !== undefined && spec !== 'keep') {
        report(
          subject,
          path,
          'is a generated column: it is recomputed on restore. Use keep, or remove the rule.',
        )
      }
      continue
    }
    if (spec === undefined) {
      report(
        subject,
        null,
        `(${column.type}) is not classified. Add "${column.name}: keep" if it holds nothing personal, or a transformer (see README, "Transformers").`,
      )
      continue
    }
    let compiled: Compiled
    try {
      compiled = compile(spec, column)
    } catch (err) {
      report(subject, path, `${(err as Error).message}`)
      continue
    }
    const index = uniqueColumns.get(column.name)
    if (index && !compiled.transformer.unique) {
      report(
        subject,
        path,
        `is under the unique index ${index}, but ${compiled.name} can map two values to one and the restore would fail. Use keep or a unique transformer (email, username, uuid, hash).`,
      )
    }
    if (column.notNull && compiled.transformer.nullable) {
      report(
        subject,
        path,
        `is NOT NULL, but ${compiled.name} can yield NULL. Use another transformer.`,
      )
    }
    planned.set(column.name, { column, spec, compiled })
  }
  return planned
}

function checkForeignKeys(rules: Rules, catalog: Catalog, report: Report): void {
  for (const table of catalog.tables) {
    if (table.partitionRoot) continue
    const own = rules.tables[table.qualified]
    if (!own || own.data === 'skip') continue
    for (const fk of table.foreignKeys) {
      const referenced = rules.tables[fk.references]
      if (!referenced) continue
      if (referenced.data === 'skip') {
        report(
          table.qualified,
          ['tables', table.qualified],
          `references ${fk.references} (data: skip) by foreign key ${fk.name}, so the restore would fail. Dump ${fk.references} too, or skip ${table.qualified}.`,
        )
        continue
      }
      fk.columns.forEach((column, i) => {
        const refColumn = fk.referencedColumns[i] ?? ''
        const mine = canonical(own.columns[column])
        const theirs = canonical(referenced.columns[refColumn])
        if (mine !== theirs) {
          report(
            `${table.qualified}.${column}`,
            ['tables', table.qualified, 'columns', column],
            `references ${fk.references}.${refColumn} (foreign key ${fk.name}), which uses ${theirs}; this column uses ${mine}. Use the same rule on both so the foreign key still matches.`,
          )
        }
      })
    }
  }
}

/** A rule as one comparable string: `email`, `{"transform":"date","jitterDays":30}`. */
function canonical(spec: RuleSpec | undefined): string {
  if (spec === undefined) return 'no rule'
  if (typeof spec === 'string') return spec
  const { transform, ...options } = spec
  if (Object.keys(options).length === 0) return transform
  return JSON.stringify({ transform, ...Object.fromEntries(Object.entries(options).sort()) })
}

function closest(name: string, names: string[]): string {
  const lower = name.toLowerCase()
  const near = names.filter((n) => {
    const l = n.toLowerCase()
    return l === lower || l.endsWith(`.${lower.split('.').pop()}`) || distance(l, lower) <= 2
  })
  return near.length > 0
    ? `Did you mean ${near.slice(0, 3).join(', ')}? Names are schema.table as PostgreSQL shows them.`
    : 'Names are schema.table as PostgreSQL shows them; `dumpling check` lists the tables that have no rules.'
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0
      row[j] = Math.min(tmp + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length] ?? 0
}

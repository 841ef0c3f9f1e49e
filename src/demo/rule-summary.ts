import type { Rules } from '../rules/rules-schema.js'

type Spec = string | { transform: string; [option: string]: unknown }

/** One column that a rule transforms: `public.users.email`, `email`. */
export interface TransformedColumn {
  table: string
  column: string
  spec: Spec
}

/** The columns the rules do not `keep`, in the rules' order, and how many are kept. */
export function transformedColumns(rules: Rules): { columns: TransformedColumn[]; kept: number } {
  const columns: TransformedColumn[] = []
  let kept = 0
  for (const [table, rule] of Object.entries(rules.tables)) {
    for (const [column, spec] of Object.entries(rule.columns)) {
      if (spec === 'keep') kept++
      else columns.push({ table, column, spec: spec as Spec })
    }
  }
  return { columns, kept }
}

/** `email`, `date (jitterDays 30)`, `json: $.user.email → email, $.ip → ip`. */
export function describeSpec(spec: Spec): string {
  if (typeof spec === 'string') return spec
  const { transform, ...options } = spec
  if (transform === 'json' && isRecord(options.paths)) {
    const paths = Object.entries(options.paths).map(
      ([path, leaf]) => `${path} → ${describeSpec(leaf as Spec)}`,
    )
    return `json: ${paths.join(', ')}`
  }
  const shown = Object.entries(options).map(([k, v]) => `${k} ${JSON.stringify(v)}`)
  return shown.length === 0 ? transform : `${transform} (${shown.join(', ')})`
}

/** The JSON paths of a `json` rule, or null for any other rule. */
export function jsonPaths(spec: Spec): string[] | null {
  if (typeof spec === 'string' || spec.transform !== 'json' || !isRecord(spec.paths)) return null
  return Object.keys(spec.paths)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

import { z } from 'zod'

/** A column rule: a transformer name, or `{ transform: NAME, ...options }`. */
export const ruleSpecSchema = z.union([
  z.string().min(1, 'a transformer name is required'),
  z.looseObject({ transform: z.string({ error: 'needs `transform: NAME`' }).min(1) }),
])

export const tableRulesSchema = z.strictObject({
  /** `dump` (default) copies rows through the column rules; `skip` keeps the schema only. */
  data: z.enum(['dump', 'skip']).default('dump'),
  /** Every column of the table, by name as PostgreSQL shows it, to its rule. */
  columns: z.record(z.string(), ruleSpecSchema).default({}),
})

export const rulesSchema = z.strictObject({
  /** Tables by `schema.table` as PostgreSQL shows the names (no quoting). */
  tables: z.record(z.string(), tableRulesSchema),
})

export type Rules = z.infer<typeof rulesSchema>
export type TableRules = z.infer<typeof tableRulesSchema>

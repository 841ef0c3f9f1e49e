import type { ColumnInfo, Compiler, RuleSpec, ValueTransform } from '../transformers/index.js'
import { countRows, rewriteRows } from './rewrite-rows.js'

/** What a batch of one table's rows needs: its COPY statement and the rules of its leading columns. */
export interface BatchPlan {
  /** Unique per table in one run; workers compile a plan once. */
  id: string
  table: string
  /** `COPY "s"."t" ("a", "b") FROM stdin;\n` */
  header: string
  /** Rules of the leading (transformed) columns, in select order. */
  columns: { spec: RuleSpec; column: ColumnInfo }[]
}

const footer = '\\.\n\n'

/** Compile a plan's transforms. */
export function compilePlan(plan: BatchPlan, compile: Compiler): ValueTransform[] {
  return plan.columns.map((c) => compile(c.spec, c.column).fn)
}

/**
 * Whole rows of COPY text in, one complete `COPY … FROM stdin` block out:
 * the header, the rewritten rows, and the end-of-data marker. Rows of a
 * table with nothing to transform are copied as bytes, never decoded.
 */
export function transformBatch(
  plan: BatchPlan,
  transforms: readonly ValueTransform[],
  raw: Buffer,
): { block: Buffer; rows: number } {
  if (transforms.length === 0) {
    const rows = countRows(raw)
    return { block: Buffer.concat([Buffer.from(plan.header), raw, Buffer.from(footer)]), rows }
  }
  const { text, rows } = rewriteRows(raw.toString('utf8'), transforms, plan.table)
  return { block: Buffer.from(plan.header + text + footer), rows }
}

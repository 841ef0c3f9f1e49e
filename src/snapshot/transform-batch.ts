import type { ColumnInfo, Compiler, RuleSpec } from '../transformers/index.js'
import { OutBuffer } from './out-buffer.js'
import { createRowRewriter, type FieldTransform } from './row-rewriter.js'

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

const footer = Buffer.from('\\.\n\n')

/** Compile a plan's transforms. */
export function compilePlan(plan: BatchPlan, compile: Compiler): FieldTransform[] {
  return plan.columns.map((c) => {
    const { fn, transformer, bytes } = compile(c.spec, c.column)
    return { fn, copySafe: transformer.copySafe === true, bytes }
  })
}

/**
 * Whole rows of COPY text in, one complete `COPY … FROM stdin` block out:
 * the header, the rewritten rows, and the end-of-data marker. With `out`, the
 * block is written there (emptied first) and is valid until its next use: a
 * thread that compresses each block at once reuses one buffer instead of
 * allocating a megabyte per batch.
 */
export function transformBatch(
  plan: BatchPlan,
  transforms: readonly FieldTransform[],
  raw: Buffer,
  out = new OutBuffer(raw.length + plan.header.length + 4096),
): { block: Buffer; rows: number } {
  out.clear()
  out.writeString(plan.header)
  const rewriter = createRowRewriter(transforms, out, () => plan.table)
  rewriter.push(raw)
  rewriter.end()
  out.writeBytes(footer)
  // The buffer is this batch's alone: hand it over without a copy.
  return { block: out.view(), rows: rewriter.rows }
}

import { z } from 'zod'
import { parseJsonPath } from './json-path.js'
import { createJsonRewriter, type JsonPathRule, type LeafRewrite } from './json-rewrite.js'
import { encodeJsonString } from './json-string.js'
import { ruleSpecSchema } from './rule-spec-schema.js'
import type {
  ByteSink,
  ColumnInfo,
  RuleSpec,
  TransformContext,
  ValueTransform,
} from './transformer.js'
import { defineTransformer, withBytes } from './transformer.js'

const textLeaf: ColumnInfo = { kind: 'text', type: 'text', maxLength: null }
const numberLeaf: ColumnInfo = { kind: 'numeric', type: 'numeric', maxLength: null }
const quote = 34
const jsonNumber = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/

/** Rewrites the leaves at the listed paths of a json/jsonb document; every other byte is kept. */
export const json = defineTransformer({
  description: 'Applies rules to the values at JSON paths ($.a.b, $.list[*].c, $..key).',
  accepts: ['json'],
  unique: false,
  nullable: false,
  options: z
    .object({
      /** JSON path → rule for the strings and numbers at or under it. */
      paths: z
        .record(z.string(), ruleSpecSchema)
        .refine((p) => Object.keys(p).length > 0, 'name at least one path (or use keep)'),
    })
    .strict(),
  create({ paths }, ctx) {
    const rules: JsonPathRule[] = Object.entries(paths).map(([path, spec]) => ({
      steps: parseJsonPath(path),
      leaf: compileLeaf(path, spec, ctx),
    }))
    const rewriter = createJsonRewriter(rules)
    return withBytes(rewriter, rewriter.bytes)
  },
})

/**
 * A rule compiled for both leaf shapes: strings as text, numbers as numeric when the
 * rule accepts numeric (then the result is written back as a JSON number if it is one).
 * A numeric-only rule turns non-numeric strings into null rather than copying them.
 */
function compileLeaf(path: string, spec: RuleSpec, ctx: TransformContext): LeafRewrite {
  const text = tryCompile(spec, textLeaf, ctx)
  const num = tryCompile(spec, numberLeaf, ctx)
  const asText = text.fn
  const asNumber = num.fn
  if (!asText && !asNumber) {
    const reasons = [...new Set([text.error, num.error])].join('; as a number: ')
    throw new Error(`json path "${path}": ${reasons}`, { cause: text.cause })
  }
  const emit = (out: string | null) => (out === null ? 'null' : encodeJsonString(out))
  // A copy-safe fake promises no backslash, control character or quote; the string path
  // still checks for a quote (cheap, and it keeps this path right if a list ever holds one).
  const emitSafe = (out: string | null) =>
    out === null ? 'null' : out.includes('"') ? encodeJsonString(out) : `"${out}"`
  const copySafe = asText !== undefined && ctx.copySafe?.(spec, textLeaf) === true
  const emitText = copySafe ? emitSafe : emit
  const string = asText
    ? (value: string) => emitText(asText(value))
    : (value: string) => emit(asNumber && jsonNumber.test(value) ? asNumber(value) : null)
  const fast = asText ? ctx.bytes?.(spec, textLeaf) : null
  return {
    string,
    // A fake written between quotes is its JSON string, unless it holds a byte JSON
    // escapes (a quote, a control character, a backslash: also the COPY escapes and
    // NULL's `\N`): then it is taken back, for the string function. A copy-safe
    // transformer's fakes never hold one (nor are NULL): they are not looked at again.
    ...(fast && {
      bytes: copySafe
        ? (src: Buffer, start: number, end: number, out: ByteSink) => {
            out.writeByte(quote)
            fast(src, start, end, out)
            out.writeByte(quote)
            return true
          }
        : (src: Buffer, start: number, end: number, out: ByteSink) => {
            out.writeByte(quote)
            const from = out.length
            fast(src, start, end, out)
            if (out.needsJsonEscape(from)) {
              out.length = from - 1
              return false
            }
            out.writeByte(quote)
            return true
          },
    }),
    number: asNumber
      ? (value) => {
          const out = asNumber(value)
          return out !== null && jsonNumber.test(out) ? out : emit(out)
        }
      : (value) => emit(asText?.(value) ?? null),
  }
}

function tryCompile(
  spec: RuleSpec,
  column: ColumnInfo,
  ctx: TransformContext,
): { fn?: ValueTransform; error?: string; cause?: unknown } {
  try {
    return { fn: ctx.compile(spec, column) }
  } catch (cause) {
    return { error: cause instanceof Error ? cause.message : String(cause), cause }
  }
}

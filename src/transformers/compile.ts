import { createDigest } from './keyed-digest.js'
import { ownString } from './own-string.js'
import { isTransformerName, type TransformerName, transformers } from './registry.js'
import type {
  ByteTransform,
  ColumnInfo,
  Digest,
  RuleSpec,
  Transformer,
  ValueTransform,
} from './transformer.js'

/** A rule compiled for one column. */
export interface Compiled {
  name: TransformerName
  transformer: Transformer
  fn: ValueTransform
  /**
   * The transformer's fast path for ASCII values without escapes, or null. It
   * skips the memo: hashing the bytes costs less than making a string to look up.
   */
  bytes: ByteTransform | null
}

export type Compiler = (spec: RuleSpec, column: ColumnInfo) => Compiled

/**
 * Distinct values remembered per compiled rule. Small on purpose: the columns
 * the memo pays for (cities, names, statuses) have few distinct values, while a
 * large memo of a column that barely repeats keeps thousands of strings alive
 * until it is cleared, which the old generation's GC pays for. 8192 cost 8-13 %
 * more transform CPU on the bench's rows than 1024 (and ~1.5 MB of heap per rule
 * per thread against ~0.2 MB).
 */
const memoSize = 1024

/**
 * Turns rules into functions. Rules with the same spec on columns of the same
 * shape share one function and one memo, so a value seen in one table is not
 * hashed again in the next. Throws a plain Error saying what is wrong with
 * the rule for this column; callers add the table and column.
 */
export function createCompiler(key: string | Buffer): Compiler {
  const digests = new Map<string, Digest>()
  const compiled = new Map<string, Compiled>()

  const digest = (domain: string): Digest => {
    let d = digests.get(domain)
    if (!d) {
      d = createDigest(key, domain)
      digests.set(domain, d)
    }
    return d
  }

  const compile: Compiler = (spec, column) => {
    // Keyed by what shapes the output (numeric(p,s), cidr… live in `type`), not by
    // column name: the same rule on columns of one type shares one function and memo.
    const shape = [column.kind, column.type, column.maxLength, column.integerRange, column.element]
    const cacheKey = JSON.stringify([spec, shape], (_, v) => (typeof v === 'bigint' ? `${v}` : v))
    const hit = compiled.get(cacheKey)
    if (hit) return hit

    const { name, options } = splitSpec(spec)
    if (!isTransformerName(name)) {
      throw new Error(
        `unknown transformer "${name}". Known: ${Object.keys(transformers).join(', ')}.`,
      )
    }
    const transformer: Transformer = transformers[name]
    if (!transformer.accepts.includes(column.kind)) {
      throw new Error(
        `${name} cannot produce a value of type ${column.type}; it accepts ${transformer.accepts.join(', ')}. Use another transformer or keep.`,
      )
    }
    const parsed = transformer.options.safeParse(options)
    if (!parsed.success) {
      const problems = parsed.error.issues
        .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
        .join('; ')
      throw new Error(`bad options for ${name}: ${problems}`)
    }
    const raw = transformer.create(parsed.data, {
      column,
      digest,
      compile: (s, c) => compile(s, c).fn,
      copySafe: (s, c) => compile(s, c).transformer.copySafe === true,
      bytes: (s, c) => compile(s, c).bytes,
    })
    // The fast path (`bytes`) is for whole plain fields (the row rewriter) and the
    // string leaves of plain JSON documents; anything else takes the string function
    // and its memo.
    const fn = name === 'keep' || name === 'const' || name === 'null' ? raw : memoize(raw)
    const result: Compiled = { name, transformer, fn, bytes: raw.bytes ?? null }
    compiled.set(cacheKey, result)
    return result
  }
  return compile
}

function splitSpec(spec: RuleSpec): { name: string; options: Record<string, unknown> } {
  if (typeof spec === 'string') return { name: spec, options: {} }
  const { transform, ...options } = spec
  return { name: transform, options }
}

/** Values longer than this (documents, free text) rarely repeat and would bloat the memo. */
const memoMaxValueLength = 64
/**
 * Lookups per sample window, and the hits below which the memo is not worth
 * its cost. A miss costs a lookup and an insert of a fresh string (~0.15 µs)
 * and a hit saves a transform (~0.5-1.3 µs): below about one hit in six the
 * memo costs more than it saves. (It was one in sixteen: a postcode column with 6 %
 * repeats kept a full memo that cost time.)
 */
const memoWindow = 1024
const memoMinHits = 171
/** Values to pass straight through after a window with too few hits, before trying again (16 windows). */
const memoBypass = 16_384

/**
 * Bounded, adaptive memo. Cleared when full, which keeps memory flat. A column
 * of mostly distinct values (ids, unique emails) pays a map lookup and insert
 * per value for nothing, so a window with few hits turns the memo off for a
 * while; columns that repeat (cities, names, the same email in many tables)
 * keep it.
 */
function memoize(fn: ValueTransform): ValueTransform {
  const memo = new Map<string, string | null>()
  let lookups = 0
  let hits = 0
  let bypass = 0
  return (value) => {
    if (bypass > 0) {
      bypass--
      return fn(value)
    }
    if (value.length > memoMaxValueLength) return fn(value)
    if (++lookups === memoWindow) {
      if (hits < memoMinHits) {
        bypass = memoBypass
        memo.clear()
      }
      lookups = 0
      hits = 0
    }
    const hit = memo.get(value)
    if (hit !== undefined) {
      hits++
      return hit
    }
    const out = fn(value)
    if (memo.size >= memoSize) memo.clear()
    // Own copies: the value (and an output that is part of it) may be a slice of a whole batch.
    memo.set(ownString(value), out === null ? null : ownString(out))
    return out
  }
}

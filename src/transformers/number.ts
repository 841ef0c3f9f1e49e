import { z } from 'zod'
import { unitFloat } from './digest-bits.js'
import {
  jitterDecimal,
  jitterPlainBytes,
  type Limits,
  limits,
  type ScaledBounds,
} from './jitter-decimal.js'
import type { ColumnInfo } from './transformer.js'
import { defineTransformer, withBytes } from './transformer.js'

/** Kept as they are: jitter means nothing for them. */
const specials = new Set(['NaN', 'Infinity', '-Infinity'])
const int8Range = [-(2n ** 63n), 2n ** 63n - 1n] as const
const float4Max = 3.4028234663852886e38
/** Up to 14 digits: ×(1 + ratio) stays below 2^53 for any ratio ≤ 10. */
const shortInteger = /^-?\d{1,14}$/

/** A keyed jitter of ±ratio around the value, keeping its type, scale and range. */
export const number = defineTransformer({
  description: 'Jitters a number by a keyed factor within ±ratio (default 10%), keeping its type.',
  accepts: ['integer', 'numeric', 'float'],
  unique: false,
  nullable: false,
  options: z
    .object({
      /** Largest relative change: 0.1 moves a value by at most 10% either way. */
      ratio: z.number().gt(0).lte(10).default(0.1),
    })
    .strict(),
  create({ ratio }, ctx) {
    const digest = ctx.digest('number')
    const { column } = ctx
    const factor = (value: string) => ratio * (2 * unitFloat(digest(value)) - 1)
    if (column.kind === 'float') {
      // The type text is all ColumnInfo says about float width: `real`, or `float4` for array elements.
      const max = column.type === 'real' || column.type === 'float4' ? float4Max : Number.MAX_VALUE
      return (value) => {
        const x = Number(value)
        if (!Number.isFinite(x)) return value
        return String(Math.min(Math.max(x * (1 + factor(value)), -max), max))
      }
    }
    const bounds = boundsFor(column)
    const decimal = (value: string) => {
      if (specials.has(value)) return value
      const out = jitterDecimal(value, factor(value), bounds)
      if (out === undefined || (column.kind === 'integer' && out.includes('.'))) {
        throw new Error(`number: ${column.type} value is not a number in PostgreSQL text form`)
      }
      return out
    }
    if (column.kind !== 'integer') {
      const factorOf = (src: Buffer, start: number, end: number) =>
        ratio * (2 * unitFloat(digest.bytes(src, start, end)) - 1)
      return withBytes(decimal, (src, start, end, out) => {
        const text = jitterPlainBytes(src, start, end, factorOf, bounds)
        out.writeString(text ?? decimal(src.toString('latin1', start, end)))
      })
    }
    // Most integers fit a double exactly even after jitter: skip the general parser.
    const [min, max] = column.integerRange ?? int8Range
    const [low, high] = [Number(min), Number(max)]
    return (value) => {
      if (!shortInteger.test(value)) return decimal(value)
      const x = Math.round(Number(value) * (1 + factor(value)))
      return String(Math.min(Math.max(x, low), high))
    }
  },
})

/** The limits of an integer type, or of `numeric(p,s)`, in units of the input's scale. */
function boundsFor(column: ColumnInfo): ScaledBounds | undefined {
  if (column.kind === 'integer') {
    const [min, max] = column.integerRange ?? int8Range
    const range = limits(min, max)
    return () => range
  }
  const typmod = /^numeric\((\d+)(?:,\s*(-?\d+))?\)/.exec(column.type)
  if (!typmod) return undefined
  const precision = BigInt(typmod[1] ?? '0')
  const typeScale = BigInt(typmod[2] ?? '0')
  const cache = new Map<number, Limits>()
  return (scale) => {
    let range = cache.get(scale)
    if (!range) {
      // numeric(p,s) holds (10^p − 1)·10^−s at most; in input units that is ×10^scale.
      const shift = BigInt(scale) - typeScale
      const largest = (10n ** precision - 1n) * 10n ** (shift > 0n ? shift : 0n)
      const max = shift < 0n ? largest / 10n ** -shift : largest
      range = limits(-max, max)
      cache.set(scale, range)
    }
    return range
  }
}

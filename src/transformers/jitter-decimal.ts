/** Inclusive limits for a result, in units of the input's last decimal place. */
export interface Limits {
  min: bigint
  max: bigint
  /** The same as doubles, for the fast path (converting a bigint per value is slow). */
  minNumber: number
  maxNumber: number
}

/** The limits for an input with `scale` decimal places, if any. */
export type ScaledBounds = (scale: number) => Limits | undefined

export function limits(min: bigint, max: bigint): Limits {
  return { min, max, minNumber: Number(min), maxNumber: Number(max) }
}

/** Sign, digits and optional decimal exponent of a plain or scientific decimal. */
const decimalPattern = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/

/** Digits that fit a double exactly even after growing by a factor of 11 (ratio ≤ 10). */
const exactDigits = 14

/** Exponents beyond this would make BigInt arithmetic on the expanded digits expensive. */
const maxExponent = 1000

/**
 * Multiply a decimal by `1 + r` and round to the input's own number of decimal places,
 * so `12.50` stays two places and `7` stays an integer. Exact for any number of digits
 * (BigInt beyond 14). Scientific input (`1.5e-3`, from JSON) is written out in plain
 * form. Returns undefined when the text is not a decimal or its exponent is absurd.
 */
export function jitterDecimal(text: string, r: number, bounds?: ScaledBounds): string | undefined {
  const m = decimalPattern.exec(text)
  if (!m) return undefined
  let digits = (m[2] ?? '') + (m[3] ?? '')
  if (digits.length === 0) return undefined
  let scale = m[3]?.length ?? 0
  if (m[4] !== undefined) {
    const exponent = Number(m[4])
    if (Math.abs(exponent) > maxExponent) return undefined
    scale -= exponent
    if (scale < 0) {
      digits += '0'.repeat(-scale)
      scale = 0
    }
  }
  const negative = m[1] === '-'
  const limit = bounds?.(scale)
  if (digits.length <= exactDigits) {
    const n = Number(digits)
    let out = Math.round((negative ? -n : n) * (1 + r))
    if (limit) out = Math.min(Math.max(out, limit.minNumber), limit.maxNumber)
    return format(out < 0, String(Math.abs(out)), scale)
  }
  const n = negative ? -BigInt(digits) : BigInt(digits)
  let out = n + (n * BigInt(Math.round(r * 2 ** 32))) / 2n ** 32n
  if (limit) out = out < limit.min ? limit.min : out > limit.max ? limit.max : out
  return format(out < 0n, String(out < 0n ? -out : out), scale)
}

/** `digits` with a decimal point `scale` places from the right. */
function format(negative: boolean, digits: string, scale: number): string {
  const sign = negative && /[1-9]/.test(digits) ? '-' : ''
  if (scale === 0) return sign + digits
  const padded = digits.length > scale ? digits : digits.padStart(scale + 1, '0')
  const cut = padded.length - scale
  return `${sign}${padded.slice(0, cut)}.${padded.slice(cut)}`
}

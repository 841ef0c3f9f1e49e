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
  if (digits.length <= exactDigits) return jitterShort(Number(digits), negative, scale, r, limit)
  const n = negative ? -BigInt(digits) : BigInt(digits)
  let out = n + (n * BigInt(Math.round(r * 2 ** 32))) / 2n ** 32n
  if (limit) out = out < limit.min ? limit.min : out > limit.max ? limit.max : out
  return format(out < 0n, String(out < 0n ? -out : out), scale)
}

/** The short case of `jitterDecimal`: the digits as one exact integer `n`. */
function jitterShort(
  n: number,
  negative: boolean,
  scale: number,
  r: number,
  limit: Limits | undefined,
): string {
  let out = Math.round((negative ? -n : n) * (1 + r))
  if (limit) out = Math.min(Math.max(out, limit.minNumber), limit.maxNumber)
  return format(out < 0, String(Math.abs(out)), scale)
}

/** What `parsePlainDecimal` found. */
const plain = { n: 0, negative: false, scale: 0 }

/**
 * `jitterDecimal` of the ASCII text `src[start, end)` when it is a plain
 * decimal (a sign, at most 14 digits, a point) — what numeric columns hold —
 * with `r(…)` asked for only then; undefined for anything else.
 */
export function jitterPlainBytes(
  src: Buffer,
  start: number,
  end: number,
  r: (src: Buffer, start: number, end: number) => number,
  bounds?: ScaledBounds,
): string | undefined {
  if (!parsePlainDecimal(src, start, end)) return undefined
  const { n, negative, scale } = plain
  return jitterShort(n, negative, scale, r(src, start, end), bounds?.(scale))
}

function parsePlainDecimal(src: Buffer, start: number, end: number): boolean {
  let i = start
  const sign = src[i]
  plain.negative = sign === 45
  if (sign === 45 || sign === 43) i++
  let n = 0
  let digits = 0
  let point = -1
  for (; i < end; i++) {
    const c = (src[i] as number) - 48
    if (c >= 0 && c <= 9) {
      n = n * 10 + c
      digits++
    } else if (c === -2 && point < 0) point = i
    else return false
  }
  if (digits === 0 || digits > exactDigits) return false
  plain.n = n
  plain.scale = point < 0 ? 0 : end - point - 1
  return true
}

/** `digits` with a decimal point `scale` places from the right. */
function format(negative: boolean, digits: string, scale: number): string {
  const sign = negative && /[1-9]/.test(digits) ? '-' : ''
  if (scale === 0) return sign + digits
  const padded = digits.length > scale ? digits : digits.padStart(scale + 1, '0')
  const cut = padded.length - scale
  return `${sign}${padded.slice(0, cut)}.${padded.slice(cut)}`
}

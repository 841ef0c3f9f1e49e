import { z } from 'zod'
import { civilFromDays, daysFromCivil } from './civil-days.js'
import { pickIndex } from './digest-bits.js'
import { defineTransformer, withBytes } from './transformer.js'

/** The `Y-M-D` head of a date or timestamp in DateStyle ISO; years can exceed 9999. */
const datePattern = /^(\d{4,})-(\d\d)-(\d\d)/
/** PostgreSQL's first day, 4714-11-24 BC (astronomical year −4713), for every type. */
const firstDay = daysFromCivil(-4713, 11, 24)
const lastDate = daysFromCivil(5_874_897, 12, 31)
const lastTimestamp = daysFromCivil(294_276, 12, 31)
const twoDigits = Array.from({ length: 32 }, (_, i) => String(i).padStart(2, '0'))

/** Moves a date by a keyed number of days, keeping time of day and zone text. */
export const date = defineTransformer({
  description: 'Shifts a date or timestamp by a keyed number of days (±jitterDays, default 30).',
  accepts: ['date', 'timestamp', 'timestamptz'],
  unique: false,
  nullable: false,
  options: z
    .object({
      /** Largest shift in days either way; 0 keeps dates. At most 100000 (about 270 years). */
      jitterDays: z.number().int().min(0).max(100_000).default(30),
    })
    .strict(),
  create({ jitterDays }, ctx) {
    if (jitterDays === 0) return (value) => value
    const digest = ctx.digest('date')
    const lastDay = ctx.column.kind === 'date' ? lastDate : lastTimestamp
    /** The day moved by the keyed shift of `d`: never zero, reflected off the type's ends. */
    const shifted = (day: number, d: Buffer): number => {
      // −jitterDays … −1, 1 … jitterDays.
      const k = pickIndex(2 * jitterDays, d, 0)
      const shift = k < jitterDays ? k - jitterDays : k - jitterDays + 1
      const moved = day + shift
      return moved < firstDay || moved > lastDay ? day - shift : moved
    }
    const fn = (value: string): string => {
      const m = datePattern.exec(value)
      if (!m) return value // infinity, -infinity
      const bc = value.endsWith(' BC')
      const year = Number(m[1])
      const day = daysFromCivil(bc ? 1 - year : year, Number(m[2]), Number(m[3]))
      const [y, month, dom] = civilFromDays(shifted(day, digest(value)))
      const rest = value.slice(m[0].length)
      const suffix = bc === y <= 0 ? rest : bc ? rest.slice(0, -3) : `${rest} BC`
      const outYear = y <= 0 ? 1 - y : y
      const yearText = outYear >= 1000 ? String(outYear) : String(outYear).padStart(4, '0')
      return `${yearText}-${twoDigits[month]}-${twoDigits[dom]}${suffix}`
    }
    return withBytes(fn, (src, start, end, out) => {
      // "YYYY-MM-DD…" of a year 1000-9999 AD, parsed here; anything else by the string path.
      const year = digits(src, start, 4)
      const month = digits(src, start + 5, 2)
      const dom = digits(src, start + 8, 2)
      if (
        end - start < 10 ||
        year < 1000 ||
        month < 0 ||
        dom < 0 ||
        src[start + 4] !== DASH ||
        src[start + 7] !== DASH ||
        (end - start >= 13 && src[end - 3] === SPACE && src[end - 2] === B && src[end - 1] === C)
      ) {
        out.writeString(fn(src.toString('latin1', start, end)))
        return
      }
      const [y, m, d] = civilFromDays(
        shifted(daysFromCivil(year, month, dom), digest.bytes(src, start, end)),
      )
      if (y < 1000 || y > 9999) {
        out.writeString(fn(src.toString('latin1', start, end)))
        return
      }
      out.writeByte(48 + Math.floor(y / 1000))
      out.writeByte(48 + (Math.floor(y / 100) % 10))
      out.writeByte(48 + (Math.floor(y / 10) % 10))
      out.writeByte(48 + (y % 10))
      out.writeByte(DASH)
      out.writeByte(48 + Math.floor(m / 10))
      out.writeByte(48 + (m % 10))
      out.writeByte(DASH)
      out.writeByte(48 + Math.floor(d / 10))
      out.writeByte(48 + (d % 10))
      out.writeBytes(src, start + 10, end)
    })
  },
})

const DASH = 45
const SPACE = 32
const B = 66
const C = 67

/** The decimal number of the `count` ASCII digits at `src[at]`, or -1 if one is not a digit. */
function digits(src: Buffer, at: number, count: number): number {
  let n = 0
  for (let i = at; i < at + count; i++) {
    const c = (src[i] ?? 0) - 48
    if (c < 0 || c > 9) return -1
    n = n * 10 + c
  }
  return n
}

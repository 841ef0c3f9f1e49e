import { z } from 'zod'
import { civilFromDays, daysFromCivil } from './civil-days.js'
import { uint32 } from './digest-bits.js'
import { defineTransformer } from './transformer.js'

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
    return (value) => {
      const m = datePattern.exec(value)
      if (!m) return value // infinity, -infinity
      const bc = value.endsWith(' BC')
      const year = Number(m[1])
      const day = daysFromCivil(bc ? 1 - year : year, Number(m[2]), Number(m[3]))
      // Never zero: −jitterDays … −1, 1 … jitterDays.
      const k = uint32(digest(value)) % (2 * jitterDays)
      const shift = k < jitterDays ? k - jitterDays : k - jitterDays + 1
      let shifted = day + shift
      if (shifted < firstDay || shifted > lastDay) shifted = day - shift // reflect off the ends
      const [y, month, dom] = civilFromDays(shifted)
      const rest = value.slice(m[0].length)
      const suffix = bc === y <= 0 ? rest : bc ? rest.slice(0, -3) : `${rest} BC`
      const outYear = y <= 0 ? 1 - y : y
      const yearText = outYear >= 1000 ? String(outYear) : String(outYear).padStart(4, '0')
      return `${yearText}-${twoDigits[month]}-${twoDigits[dom]}${suffix}`
    }
  },
})

import { z } from 'zod'
import { defineTransformer, withBytes } from './transformer.js'

/** Decimal digits of other scripts (fullwidth, Arabic-Indic, …): replaced like ASCII ones. */
const otherDigit = /\p{Nd}/u
/** Output collects here as Latin-1 bytes: one string per value instead of one per character. */
const scratch = Buffer.allocUnsafe(256)

/**
 * Keeps the formatting ("+1 (415) 555-0132" stays "+d (ddd) ddd-dddd") and
 * replaces every digit with a keyed one. The output always differs from the
 * input when it has a digit, and has the same length, so it fits the column.
 */
export const phone = defineTransformer({
  description: 'The same phone format with every digit replaced (not unique).',
  accepts: ['text'],
  unique: false,
  nullable: false,
  options: z.object({}).strict(),
  create(_options, ctx) {
    const digest = ctx.digest('phone')
    const fn = (value: string): string => {
      const d = digest(value)
      // At most one byte per UTF-16 unit of the input, so a buffer this long never overflows.
      const bytes = value.length <= scratch.length ? scratch : Buffer.allocUnsafe(value.length)
      let out = ''
      let n = 0
      let digits = 0
      let same = true
      for (let i = 0; i < value.length; i++) {
        let c = value.charCodeAt(i)
        if ((c >= 48 && c <= 57) || (c > 0xff && otherDigit.test(value.charAt(i)))) {
          // Past 32 digits the bytes repeat, shifted; such values are not phone numbers anyway.
          const k = 48 + (((d[digits & 31] ?? 0) + (digits >> 5)) % 10)
          if (k !== c) same = false
          c = k
          digits++
        } else if (c > 0xff) {
          out += bytes.toString('latin1', 0, n) + value.charAt(i)
          n = 0
          continue
        }
        bytes[n++] = c
      }
      if (same && digits > 0) return bumpLastDigit(value, d[31] ?? 0)
      return n === 0 ? out : out + bytes.toString('latin1', 0, n)
    }
    return withBytes(fn, (src, start, end, out) => {
      const d = digest.bytes(src, start, end)
      let digits = 0
      let same = true
      for (let i = start; i < end; i++) {
        const c = src[i] as number
        if (c >= 48 && c <= 57 && 48 + (((d[digits & 31] ?? 0) + (digits >> 5)) % 10) !== c) {
          same = false
          break
        }
        if (c >= 48 && c <= 57) digits++
      }
      // Every digit came out unchanged (odds 10^-digits): the string function bumps one.
      if (same && digits > 0) {
        out.writeString(fn(src.toString('latin1', start, end)))
        return
      }
      digits = 0
      for (let i = start; i < end; i++) {
        const c = src[i] as number
        if (c >= 48 && c <= 57) {
          out.writeByte(48 + (((d[digits & 31] ?? 0) + (digits >> 5)) % 10))
          digits++
        } else out.writeByte(c)
      }
    })
  },
})

/** Every digit came out unchanged (odds 10^-digits): change the last one, deterministically. */
function bumpLastDigit(value: string, by: number): string {
  let at = value.length - 1
  while (!(value.charCodeAt(at) >= 48 && value.charCodeAt(at) <= 57)) at--
  const bumped = 48 + ((value.charCodeAt(at) - 48 + 1 + (by % 9)) % 10)
  return value.slice(0, at) + String.fromCharCode(bumped) + value.slice(at + 1)
}

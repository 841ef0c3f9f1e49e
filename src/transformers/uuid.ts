import { z } from 'zod'
import { writeHex } from './digest-bits.js'
import { defineTransformer, withBytes } from './transformer.js'

/** Length of `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`. */
const uuidLength = 36
const variants = '89ab'
const DASH = 45
const FOUR = 52

/** A version-4 UUID made of 122 keyed digest bits: distinct inputs stay distinct. */
export const uuid = defineTransformer({
  description: 'A random-looking version-4 UUID (unique).',
  accepts: ['uuid', 'text'],
  unique: true,
  nullable: false,
  copySafe: true,
  options: z.object({}).strict(),
  create(_options, ctx) {
    const { maxLength } = ctx.column
    if (maxLength !== null && maxLength < uuidLength) {
      throw new Error(
        `uuid needs a column of at least ${uuidLength} characters; ${ctx.column.type} holds ${maxLength}. Use hash with a shorter length.`,
      )
    }
    const digest = ctx.digest('uuid')
    return withBytes(
      (value) => {
        const d = digest(value)
        const hex = d.toString('hex', 0, 16)
        // Version 4 in the 13th digit, RFC 4122 variant (10xx) in the 17th; the digest
        // buffer is not modified, in case a digest is ever cached and shared.
        const variant = variants[((d[8] ?? 0) >> 4) & 3]
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`
      },
      (src, start, end, out) => {
        const d = digest.bytes(src, start, end)
        writeHex(d, 0, 8, out)
        out.writeByte(DASH)
        writeHex(d, 8, 12, out)
        out.writeByte(DASH)
        out.writeByte(FOUR)
        writeHex(d, 13, 16, out)
        out.writeByte(DASH)
        out.writeByte(variants.charCodeAt(((d[8] ?? 0) >> 4) & 3))
        writeHex(d, 17, 20, out)
        out.writeByte(DASH)
        writeHex(d, 20, 32, out)
      },
    )
  },
})

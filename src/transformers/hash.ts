import { z } from 'zod'
import { writeHex } from './digest-bits.js'
import { defineTransformer, withBytes } from './transformer.js'

const minLength = 16

/** Lowercase hex of the keyed digest: unique, irreversible, stable across tables. */
export const hash = defineTransformer({
  description: 'A keyed lowercase hex digest (unique; option length, 16-64 characters).',
  accepts: ['text'],
  unique: true,
  nullable: false,
  copySafe: true,
  options: z
    .object({
      /** Hex characters to keep (16-64); shortened to fit a varchar(n) column. */
      length: z.number().int().min(minLength).max(64).default(64),
    })
    .strict(),
  create({ length }, ctx) {
    const { maxLength } = ctx.column
    let chars = length
    if (maxLength !== null && maxLength < chars) {
      if (maxLength < minLength) {
        throw new Error(
          `hash needs a column of at least ${minLength} characters to stay unique; ${ctx.column.type} holds ${maxLength}.`,
        )
      }
      chars = maxLength
    }
    const digest = ctx.digest('hash')
    const bytes = Math.ceil(chars / 2)
    return withBytes(
      chars % 2 === 0
        ? (value) => digest(value).toString('hex', 0, bytes)
        : (value) => digest(value).toString('hex', 0, bytes).slice(0, chars),
      (src, start, end, out) => writeHex(digest.bytes(src, start, end), 0, chars, out),
    )
  },
})

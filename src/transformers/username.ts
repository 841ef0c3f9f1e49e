import { z } from 'zod'
import { base32, writeBase32 } from './digest-bits.js'
import { handlePrefix, writeHandlePrefix } from './handle-prefix.js'
import { defineTransformer, withBytes } from './transformer.js'

/** 65 bits of the keyed digest: a collision among ten million users has odds near 1e-6. */
const hashChars = 13

/**
 * "first_last_<13 base32>", all lowercase. The hash makes it unique (also
 * case-insensitively); the name part is dropped, last name first, when the
 * column is too short for it.
 */
export const username = defineTransformer({
  description: 'A unique fake username like "first_last_<hash>".',
  accepts: ['text'],
  unique: true,
  nullable: false,
  copySafe: true,
  options: z.object({}).strict(),
  create(_options, ctx) {
    const digest = ctx.digest('username')
    const max = ctx.column.maxLength
    if (max !== null && max < hashChars) {
      throw new Error(
        `username needs at least ${hashChars} characters for its unique hash, but ${ctx.column.type} holds ${max}. Widen the column or use another transformer.`,
      )
    }
    const room = max === null ? Number.POSITIVE_INFINITY : max - hashChars
    return withBytes(
      (value) => {
        const d = digest(value)
        return handlePrefix(d, '_', room) + base32(d, hashChars)
      },
      (src, start, end, out) => {
        const d = digest.bytes(src, start, end)
        writeHandlePrefix(d, 95, room, out)
        writeBase32(d, hashChars, out)
      },
    )
  },
})

import { z } from 'zod'
import { base32, writeBase32 } from './digest-bits.js'
import { handlePrefix, writeHandlePrefix } from './handle-prefix.js'
import { defineTransformer, withBytes } from './transformer.js'

/** 80 bits of the keyed digest: a collision among a billion addresses has odds near 1e-6. */
const hashChars = 16
const domainPattern = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i

/**
 * "first.last.<16 base32>@example.com", all lowercase. The hash makes it unique
 * (also under `lower(email)` and citext); the name part only makes it readable
 * and is dropped, last name first, when the column is too short for it.
 */
export const email = defineTransformer({
  description: 'A unique fake email like "first.last.<hash>@example.com".',
  accepts: ['text'],
  unique: true,
  nullable: false,
  copySafe: true,
  options: z
    .object({
      /** Domain of every fake address. The default is reserved (RFC 2606) and reaches no one. */
      domain: z
        .string()
        .regex(domainPattern, 'must be a domain name like example.com')
        .default('example.com'),
    })
    .strict(),
  create({ domain }, ctx) {
    const digest = ctx.digest('email')
    const tail = `@${domain.toLowerCase()}`
    const need = hashChars + tail.length
    const max = ctx.column.maxLength
    if (max !== null && max < need) {
      throw new Error(
        `email needs at least ${need} characters (${hashChars} for the unique hash and "${tail}"), but ${ctx.column.type} holds ${max}. Use a shorter domain or widen the column.`,
      )
    }
    const room = max === null ? Number.POSITIVE_INFINITY : max - need
    return withBytes(
      (value) => {
        const d = digest(value)
        return handlePrefix(d, '.', room) + base32(d, hashChars) + tail
      },
      (src, start, end, out) => {
        const d = digest.bytes(src, start, end)
        writeHandlePrefix(d, 46, room, out)
        writeBase32(d, hashChars, out)
        out.writeString(tail)
      },
    )
  },
})

import { z } from 'zod'
import { maskTransform } from './redact.js'
import { defineTransformer } from './transformer.js'

/**
 * Keeps the input's shape, so every country's format stays valid-looking:
 * digits become keyed digits and letters keyed letters of the same case,
 * spaces and dashes stay. "90210-1234" gives five digits, a dash and four
 * digits; "SW1A 1AA" (UK) and "1012 AB" (NL) keep their letters and digits
 * where they were. A value with neither is returned as it is.
 */
export const postcode = defineTransformer({
  description: 'A postcode of the same shape (digits and letters replaced, not unique).',
  accepts: ['text'],
  unique: false,
  nullable: false,
  options: z.object({}).strict(),
  create(_options, ctx) {
    const digest = ctx.digest('postcode')
    return maskTransform(digest)
  },
})

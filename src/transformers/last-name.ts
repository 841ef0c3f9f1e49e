import { z } from 'zod'
import { pick } from './digest-bits.js'
import { defineTransformer, digestFake } from './transformer.js'
import { clipped, lastNames } from './vocabulary.js'

/** A last name from faker's English list, chosen by the keyed digest of the value. */
export const lastName = defineTransformer({
  description: 'A fake last name (not unique).',
  accepts: ['text'],
  unique: false,
  nullable: false,
  copySafe: true,
  options: z.object({}).strict(),
  create(_options, ctx) {
    const digest = ctx.digest('lastName')
    const list = clipped(lastNames, ctx.column.maxLength)
    return digestFake(digest, (d) => pick(list, d))
  },
})

import { z } from 'zod'
import { pick } from './digest-bits.js'
import { defineTransformer, digestFake } from './transformer.js'
import { clipped, firstNames } from './vocabulary.js'

/** A first name from faker's English list, chosen by the keyed digest of the value. */
export const firstName = defineTransformer({
  description: 'A fake first name (not unique).',
  accepts: ['text'],
  unique: false,
  nullable: false,
  copySafe: true,
  options: z.object({}).strict(),
  create(_options, ctx) {
    const digest = ctx.digest('firstName')
    const list = clipped(firstNames, ctx.column.maxLength)
    return digestFake(digest, (d) => pick(list, d))
  },
})

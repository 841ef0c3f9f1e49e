import { z } from 'zod'
import { pick } from './digest-bits.js'
import { defineTransformer, digestFake } from './transformer.js'
import { clip, firstNames, lastNames } from './vocabulary.js'

/** "First Last", both chosen by independent bits of the keyed digest of the value. */
export const fullName = defineTransformer({
  description: 'A fake "First Last" name (not unique).',
  accepts: ['text'],
  unique: false,
  nullable: false,
  copySafe: true,
  options: z.object({}).strict(),
  create(_options, ctx) {
    const digest = ctx.digest('fullName')
    const max = ctx.column.maxLength
    return digestFake(digest, (d) =>
      clip(`${pick(firstNames, d, 0)} ${pick(lastNames, d, 4)}`, max),
    )
  },
})

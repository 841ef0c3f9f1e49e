import { z } from 'zod'
import { pick } from './digest-bits.js'
import { defineTransformer, digestFake } from './transformer.js'
import { clipped, words } from './vocabulary.js'

/** One lorem ipsum word, chosen by the keyed digest of the value. */
export const word = defineTransformer({
  description: 'One lorem ipsum word (not unique).',
  accepts: ['text'],
  unique: false,
  nullable: false,
  copySafe: true,
  options: z.object({}).strict(),
  create(_options, ctx) {
    const digest = ctx.digest('word')
    const list = clipped(words, ctx.column.maxLength)
    return digestFake(digest, (d) => pick(list, d))
  },
})

import { z } from 'zod'
import { pick } from './digest-bits.js'
import { defineTransformer, digestFake } from './transformer.js'
import { cities, clipped } from './vocabulary.js'

/** A US city name, chosen by the keyed digest of the value. */
export const city = defineTransformer({
  description: 'A fake city name (not unique).',
  accepts: ['text'],
  unique: false,
  nullable: false,
  copySafe: true,
  options: z.object({}).strict(),
  create(_options, ctx) {
    const digest = ctx.digest('city')
    const list = clipped(cities, ctx.column.maxLength)
    return digestFake(digest, (d) => pick(list, d))
  },
})

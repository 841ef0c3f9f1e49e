import { z } from 'zod'
import { pick, uint32 } from './digest-bits.js'
import { defineTransformer, digestFake } from './transformer.js'
import { clip, streetNames } from './vocabulary.js'

/** "123 Abbey Road": a building number 1–9999 and a street name, both keyed. */
export const streetAddress = defineTransformer({
  description: 'A fake street address like "123 Abbey Road" (not unique).',
  accepts: ['text'],
  unique: false,
  nullable: false,
  copySafe: true,
  options: z.object({}).strict(),
  create(_options, ctx) {
    const digest = ctx.digest('streetAddress')
    const max = ctx.column.maxLength
    return digestFake(digest, (d) =>
      clip(`${1 + (uint32(d, 0) % 9999)} ${pick(streetNames, d, 4)}`, max),
    )
  },
})

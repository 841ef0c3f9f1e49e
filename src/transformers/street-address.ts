import { z } from 'zod'
import { pick, pickIndex } from './digest-bits.js'
import { defineTransformer, digestFake, withBytes } from './transformer.js'
import { clip, streetNames } from './vocabulary.js'

const space = 32

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
    const fn = digestFake(digest, (d) =>
      clip(`${1 + pickIndex(9999, d, 0)} ${pick(streetNames, d, 4)}`, max),
    )
    if (max !== null) return fn
    // Unclipped, the fast path writes the number's digits and the street name as they
    // are: no joined string to make, flatten and copy.
    return withBytes(fn, (src, start, end, out) => {
      const d = digest.bytes(src, start, end)
      const n = 1 + pickIndex(9999, d, 0)
      for (let p = n >= 1000 ? 1000 : n >= 100 ? 100 : n >= 10 ? 10 : 1; p >= 1; p /= 10) {
        out.writeByte(48 + (Math.floor(n / p) % 10))
      }
      out.writeByte(space)
      out.writeString(pick(streetNames, d, 4))
    })
  },
})

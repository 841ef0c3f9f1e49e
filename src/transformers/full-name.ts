import { z } from 'zod'
import { pick } from './digest-bits.js'
import { defineTransformer, digestFake, withBytes } from './transformer.js'
import { clip, firstNames, lastNames } from './vocabulary.js'

const space = 32

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
    const fn = digestFake(digest, (d) =>
      clip(`${pick(firstNames, d, 0)} ${pick(lastNames, d, 4)}`, max),
    )
    if (max !== null) return fn
    // Unclipped, the fast path writes the two words as they are: no joined string to
    // make, flatten and copy.
    return withBytes(fn, (src, start, end, out) => {
      const d = digest.bytes(src, start, end)
      out.writeString(pick(firstNames, d, 0))
      out.writeByte(space)
      out.writeString(pick(lastNames, d, 4))
    })
  },
})

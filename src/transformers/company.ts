import { z } from 'zod'
import { pick } from './digest-bits.js'
import { defineTransformer, digestFake } from './transformer.js'
import { clip, lastNames, legalEntityTypes } from './vocabulary.js'

/**
 * A company name in one of faker's English patterns, "Abbott LLC",
 * "Abbott - Bauch" or "Abbott, Bauch and Conn", every part keyed.
 */
export const company = defineTransformer({
  description: 'A fake company name like "Abbott LLC" (not unique).',
  accepts: ['text'],
  unique: false,
  nullable: false,
  copySafe: true,
  options: z.object({}).strict(),
  create(_options, ctx) {
    const digest = ctx.digest('company')
    const max = ctx.column.maxLength
    return digestFake(digest, (d) => {
      const a = pick(lastNames, d, 4)
      const b = pick(lastNames, d, 8)
      const shape = (d[0] ?? 0) % 3
      const name =
        shape === 0
          ? `${a} ${pick(legalEntityTypes, d, 12)}`
          : shape === 1
            ? `${a} - ${b}`
            : `${a}, ${b} and ${pick(lastNames, d, 12)}`
      return clip(name, max)
    })
  },
})

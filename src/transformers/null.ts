import { z } from 'zod'
import { keep } from './keep.js'
import { defineTransformer, withBytes } from './transformer.js'

const BACKSLASH = 92
const N = 78

/** SQL NULL for every row; the column must be nullable at restore. */
export const nullify = defineTransformer({
  description: 'Replaces every value with NULL (the column must allow NULL).',
  accepts: keep.accepts,
  unique: false,
  nullable: true,
  options: z.object({}).strict(),
  create() {
    return withBytes(
      () => null,
      (_src, _start, _end, out) => {
        out.writeByte(BACKSLASH)
        out.writeByte(N)
      },
    )
  },
})

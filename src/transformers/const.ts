import { z } from 'zod'
import { keep } from './keep.js'
import { defineTransformer, withBytes } from './transformer.js'

/** The same text for every row, written as PostgreSQL's text input for the column type. */
export const constant = defineTransformer({
  description: 'Replaces every value with the same text (option value).',
  accepts: keep.accepts,
  unique: false,
  nullable: false,
  options: z
    .object({
      /** The replacement, as PostgreSQL text input for the column's type. */
      value: z.string(),
    })
    .strict(),
  create({ value }) {
    // The fast path writes the value as COPY text: only one that needs no escape.
    if (/[\\\n\r\t\b\f\v]/.test(value)) return () => value
    return withBytes(
      () => value,
      (_src, _start, _end, out) => out.writeString(value),
    )
  },
})

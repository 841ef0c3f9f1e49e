import { z } from 'zod'
import { keep } from './keep.js'
import { defineTransformer } from './transformer.js'

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
    return () => value
  },
})

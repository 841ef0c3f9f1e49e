import { z } from 'zod'
import { defineTransformer } from './transformer.js'

/** The value as it is: for columns that hold nothing personal. */
export const keep = defineTransformer({
  description: 'Keeps the value unchanged (for columns that hold nothing personal).',
  accepts: [
    'text',
    'integer',
    'numeric',
    'float',
    'date',
    'timestamp',
    'timestamptz',
    'inet',
    'uuid',
    'json',
    'array',
    'boolean',
    'bytea',
    'other',
  ],
  unique: true,
  nullable: false,
  options: z.object({}).strict(),
  create() {
    return (value) => value
  },
})

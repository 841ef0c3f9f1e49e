import { z } from 'zod'
import type { RuleSpec } from './transformer.js'

/**
 * A nested rule inside a transformer's options (json paths, array elements): a
 * transformer name, or `{ transform: name, ...options }`. Names and options are
 * checked when the nested rule is compiled, so errors name the transformer.
 */
export const ruleSpecSchema: z.ZodType<RuleSpec> = z.union([
  z.string(),
  z.looseObject({ transform: z.string() }),
])

import { z } from 'zod'
import { mapPgArray } from './pg-array.js'
import { ruleSpecSchema } from './rule-spec-schema.js'
import { defineTransformer } from './transformer.js'

/** Applies a rule to every element of an array, keeping NULLs, dimensions and bounds. */
export const array = defineTransformer({
  description: 'Applies a rule (option each) to every element of an array.',
  accepts: ['array'],
  unique: false,
  nullable: false,
  options: z
    .object({
      /** The rule for each element, compiled for the array's element type. */
      each: ruleSpecSchema,
    })
    .strict(),
  create({ each }, ctx) {
    const { element } = ctx.column
    if (!element) throw new Error(`array: the element type of ${ctx.column.type} is unknown`)
    let fn: (value: string) => string | null
    try {
      fn = ctx.compile(each, element)
    } catch (err) {
      throw new Error(`array element (${element.type}): ${(err as Error).message}`, { cause: err })
    }
    return (value) => mapPgArray(value, fn)
  },
})

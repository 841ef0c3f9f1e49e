import { describe, expect, it } from 'vitest'
import { otherKey, testKey } from '../../test/helpers/compile-for-test.js'
import { transformerSamples } from '../bench/transformer-samples.js'
import { createCompiler, type TransformerName, transformers } from './index.js'
import {
  cities,
  firstNames,
  lastNames,
  legalEntityTypes,
  streetNames,
  words,
} from './vocabulary.js'

const names = Object.keys(transformers) as TransformerName[]
/**
 * What COPY text would have to escape, and more: any control character; and a double
 * quote, which copy-safe fakes promise never to hold (JSON leaves are written unescaped).
 */
const needsEscape = /["\\\p{Cc}]/u
const constant = new Set<TransformerName>(['keep', 'const', 'null'])

describe('the vocabularies copy-safe transformers draw from', () => {
  it('hold no backslash, double quote or control character', () => {
    const lists = { firstNames, lastNames, cities, streetNames, words, legalEntityTypes }
    for (const [name, list] of Object.entries(lists)) {
      expect(
        list.filter((w) => needsEscape.test(w)),
        name,
      ).toEqual([])
    }
  })
})

describe.each(names)('every transformer: %s', (name) => {
  const sample = transformerSamples[name]
  const transformer = transformers[name]

  it('has a sample the bench can time', () => {
    expect(sample).toBeDefined()
  })
  if (!sample) return
  const inputs = Array.from({ length: 2000 }, (_, i) => sample.input(i))
  const run = (key: string) => {
    const fn = createCompiler(key)(sample.spec, sample.column).fn
    return inputs.map((v) => fn(v))
  }
  const outputs = run(testKey)

  it('maps each value to the same fake every time, with a fresh compiler too', () => {
    expect(run(testKey)).toEqual(outputs)
    const fn = createCompiler(testKey)(sample.spec, sample.column).fn
    expect([...inputs].reverse().map((v) => fn(v))).toEqual([...outputs].reverse())
  })

  it('depends on the key', () => {
    if (constant.has(name)) return
    const other = run(otherKey)
    const same = other.filter((o, i) => o === outputs[i]).length
    expect(same).toBeLessThan(inputs.length / 10)
  })

  it('returns NULL only when it declares it can', () => {
    if (!transformer.nullable) expect(outputs.filter((o) => o === null)).toEqual([])
  })

  it('never returns a backslash or control character when it declares copySafe', () => {
    if (!transformer.copySafe) return
    // Inputs full of what COPY escapes: a copy-safe transformer must not pass any of it on.
    const hostile = inputs.flatMap((v) => [`${v}\t\\`, `\n${v}\r\b`, `${v}/\\33`])
    const fn = createCompiler(testKey)(sample.spec, sample.column).fn
    const unsafe = [...outputs, ...hostile.map((v) => fn(v))].filter(
      (o) => o !== null && needsEscape.test(o),
    )
    expect(unsafe).toEqual([])
  })

  it('keeps distinct values distinct when it claims to be unique', () => {
    if (transformer.unique) expect(new Set(outputs).size).toBe(new Set(inputs).size)
  })

  it('never returns an original value, unless it keeps values', () => {
    if (name === 'keep' || sample.composite) return
    const unchanged = outputs.filter((o, i) => o === inputs[i]).length
    // number multiplies by 1 ± ratio: 0 stays 0, and cents round back to themselves.
    expect(unchanged).toBeLessThanOrEqual(name === 'number' ? inputs.length * 0.02 : 0)
  })
})

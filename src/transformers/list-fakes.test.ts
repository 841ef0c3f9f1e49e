import { describe, expect, it } from 'vitest'
import { columns, compileTextFor, otherKey } from '../../test/helpers/compile-for-test.js'
import { cities, firstNames, lastNames, words } from './vocabulary.js'

/** Transformers that pick one item of a vocabulary with the keyed digest. */
const cases = [
  { name: 'city', list: cities, original: 'Llanfairpwll', spread: 600 },
  { name: 'firstName', list: firstNames, original: 'Xochiquetzal', spread: 1000 },
  { name: 'lastName', list: lastNames, original: 'Wrzesniewski', spread: 300 },
  { name: 'word', list: words, original: 'quixotry', spread: 700 },
]

describe.each(cases)('$name', ({ name, list, original, spread }) => {
  const fake = compileTextFor(name)
  const inputs = Array.from({ length: 2000 }, (_, i) => `${original} ${i}`)

  it('maps the same value to the same fake every time', () => {
    expect(compileTextFor(name)(original)).toBe(fake(original))
  })

  it('picks from the vocabulary and spreads values over it', () => {
    const outputs = inputs.map(fake)
    for (const out of outputs) expect(list).toContain(out)
    expect(new Set(outputs).size).toBeGreaterThan(spread)
  })

  it('gives other fakes under another key', () => {
    const other = compileTextFor(name, columns.text, otherKey)
    const changed = inputs.filter((v) => other(v) !== fake(v)).length
    expect(changed).toBeGreaterThan(inputs.length * 0.9)
  })

  it('never contains the original value', () => {
    expect(list).not.toContain(original)
    expect(fake(original)).not.toContain(original)
  })

  it('fits a varchar(4) column', () => {
    const short = compileTextFor(name, columns.varchar(4))
    for (const v of inputs) expect(short(v).length).toBeLessThanOrEqual(4)
  })
})

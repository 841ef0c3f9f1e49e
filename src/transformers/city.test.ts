import { assert, describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'
import { cities } from './vocabulary.js'

/** The compiled rule as a function of strings: this transformer never returns NULL. */
const compile = (...args: Parameters<typeof compileFor>) => {
  const fn = compileFor(...args)
  return (value: string) => fn(value) ?? assert.fail(`NULL for ${value}`)
}

const inputs = Array.from({ length: 2000 }, (_, i) => `Llanfairpwll ${i}`)

describe('city', () => {
  const fake = compile('city')

  it('maps the same value to the same city every time', () => {
    expect(compile('city')('Llanfairpwll')).toBe(fake('Llanfairpwll'))
  })

  it('picks from the vocabulary and spreads values over it', () => {
    const outputs = inputs.map(fake)
    for (const out of outputs) expect(cities).toContain(out)
    expect(new Set(outputs).size).toBeGreaterThan(600)
  })

  it('gives other citys under another key', () => {
    const other = compile('city', columns.text, otherKey)
    const changed = inputs.filter((v) => other(v) !== fake(v)).length
    expect(changed).toBeGreaterThan(inputs.length * 0.9)
  })

  it('never contains the original value', () => {
    expect(cities).not.toContain('Llanfairpwll')
    expect(fake('Llanfairpwll')).not.toContain('Llanfairpwll')
  })

  it('fits a varchar(4) column', () => {
    const short = compile('city', columns.varchar(4))
    for (const v of inputs) expect(short(v).length).toBeLessThanOrEqual(4)
  })
})

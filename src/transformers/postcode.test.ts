import { assert, describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'

/** The compiled rule as a function of strings: this transformer never returns NULL. */
const compile = (...args: Parameters<typeof compileFor>) => {
  const fn = compileFor(...args)
  return (value: string) => fn(value) ?? assert.fail(`NULL for ${value}`)
}

describe('postcode', () => {
  const fake = compile('postcode')

  it('maps the same postcode to the same fake every time', () => {
    expect(compile('postcode')('90210')).toBe(fake('90210'))
  })

  it('keeps the shape of US, UK, NL and Canadian postcodes', () => {
    expect(fake('90210')).toMatch(/^\d{5}$/)
    expect(fake('90210-1234')).toMatch(/^\d{5}-\d{4}$/)
    expect(fake('SW1A 1AA')).toMatch(/^[A-Z]{2}\d[A-Z] \d[A-Z]{2}$/)
    expect(fake('1012 ab')).toMatch(/^\d{4} [a-z]{2}$/)
    expect(fake('K1A 0B1')).toMatch(/^[A-Z]\d[A-Z] \d[A-Z]\d$/)
  })

  it('spreads postcodes over the whole range', () => {
    const inputs = Array.from({ length: 5000 }, (_, i) => String(10_000 + i))
    const outputs = new Set(inputs.map(fake))
    expect(outputs.size).toBeGreaterThan(4800)
    expect(inputs.filter((v) => fake(v) === v).length).toBeLessThan(5)
  })

  it('gives other postcodes under another key', () => {
    const other = compile('postcode', columns.text, otherKey)
    for (const v of ['90210-1234', 'SW1A 1AA', 'EC1A 1BB']) expect(other(v)).not.toBe(fake(v))
  })

  it('keeps the length, so it fits the column', () => {
    expect(compile('postcode', columns.varchar(8))('SW1A 1AA')).toHaveLength(8)
  })
})

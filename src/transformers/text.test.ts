import { assert, describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'
import { words } from './vocabulary.js'

/** The compiled rule as a function of strings: this transformer never returns NULL. */
const compile = (...args: Parameters<typeof compileFor>) => {
  const fn = compileFor(...args)
  return (value: string) => fn(value) ?? assert.fail(`NULL for ${value}`)
}

const sample = 'Called about the refund for order 12345; customer is upset, call back after 5pm.'

describe('text', () => {
  const fake = compile('text')

  it('maps the same text to the same lorem ipsum every time', () => {
    expect(compile('text')(sample)).toBe(fake(sample))
  })

  it('writes vocabulary words as a sentence of about the same length', () => {
    const out = fake(sample)
    expect(out.length).toBeLessThanOrEqual(sample.length)
    expect(out.length).toBeGreaterThan(sample.length - 15)
    expect(out).toMatch(/^[A-Z][a-z]*( [a-z]+)*\.$/)
    for (const w of out.slice(0, -1).toLowerCase().split(' ')) expect(words).toContain(w)
  })

  it('never exceeds the input or the column, for every length', () => {
    const short = compile('text', columns.varchar(40))
    for (let n = 0; n < 300; n++) {
      const v = 'x'.repeat(n)
      expect(fake(v).length).toBeLessThanOrEqual(n)
      expect(short(v).length).toBeLessThanOrEqual(Math.min(n, 40))
      if (n > 0) expect(fake(v).length).toBeGreaterThan(0)
    }
  })

  it('fills long texts', () => {
    const long = sample.repeat(100)
    const out = fake(long)
    expect(out.length).toBeLessThanOrEqual(long.length)
    expect(out.length).toBeGreaterThan(long.length - 15)
  })

  it('gives the same lorem for a huge value again after its buffer was let go of, and short ones after it', () => {
    const huge = 'x'.repeat(200_000)
    const first = fake(huge)
    expect(first.length).toBeGreaterThan(199_000)
    const short = fake(sample)
    expect(fake(huge)).toBe(first)
    expect(fake(sample)).toBe(short)
  })

  it('gives other text under another key and for other inputs', () => {
    expect(compile('text', columns.text, otherKey)(sample)).not.toBe(fake(sample))
    expect(fake(`${sample}!`)).not.toBe(fake(sample))
  })

  it('never contains the original words', () => {
    expect(fake(sample)).not.toMatch(/refund|customer|order|12345/)
  })
})

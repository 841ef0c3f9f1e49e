import { assert, describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'

/** The compiled rule as a function of strings: this transformer never returns NULL. */
const compile = (...args: Parameters<typeof compileFor>) => {
  const fn = compileFor(...args)
  return (value: string) => fn(value) ?? assert.fail(`NULL for ${value}`)
}

/** The input with every digit shown as `d`: what must survive. */
const shape = (s: string) => s.replace(/\d/g, 'd')

describe('phone', () => {
  const fake = compile('phone')
  const formats = [
    '+1 (415) 555-0132',
    '415.555.0132',
    '+44 20 7946 0958',
    '0049-30-123456',
    '555-0132 ext. 42',
    '+33612345678',
  ]

  it('maps the same number to the same fake every time', () => {
    expect(compile('phone')('+1 (415) 555-0132')).toBe(fake('+1 (415) 555-0132'))
  })

  it('keeps the formatting and replaces the digits', () => {
    for (const v of formats) {
      expect(shape(fake(v))).toBe(shape(v))
      expect(fake(v)).not.toBe(v)
    }
  })

  it('changes every input with four or more digits', () => {
    for (let i = 0; i < 10_000; i++) {
      const v = String(i).padStart(4, '0')
      expect(fake(v)).not.toBe(v)
    }
  })

  it('changes even one- and two-digit values, where all digits may come out the same', () => {
    for (let i = 0; i < 100; i++) {
      for (const v of [String(i % 10), String(i).padStart(2, '0'), `#${i % 10}`]) {
        expect(fake(v)).not.toBe(v)
        expect(shape(fake(v))).toBe(shape(v))
      }
    }
  })

  it('spreads numbers over the digits instead of shifting them', () => {
    const outputs = new Set(Array.from({ length: 10_000 }, (_, i) => fake(`+1 555 ${i}`)))
    expect(outputs.size).toBeGreaterThan(9_990)
  })

  it('gives other numbers under another key', () => {
    const other = compile('phone', columns.text, otherKey)
    for (const v of formats) expect(other(v)).not.toBe(fake(v))
  })

  it('replaces fullwidth digits too and keeps values without digits', () => {
    expect(fake('０９０-１２３４-５６７８')).toMatch(/^\d{3}-\d{4}-\d{4}$/)
    expect(fake('n/a')).toBe('n/a')
    expect(fake('')).toBe('')
  })

  it('never grows, so it fits the column', () => {
    const short = compile('phone', columns.varchar(17))
    expect(short('+1 (415) 555-0132')).toHaveLength(17)
  })
})

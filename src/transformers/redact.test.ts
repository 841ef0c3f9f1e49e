import { assert, describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'

/** The compiled rule as a function of strings: this transformer never returns NULL. */
const compile = (...args: Parameters<typeof compileFor>) => {
  const fn = compileFor(...args)
  return (value: string) => fn(value) ?? assert.fail(`NULL for ${value}`)
}

/** Each code point's class: upper, lower, digit, or itself when it is kept. */
const classes = (s: string) =>
  [...s].map((c) =>
    /\p{Lu}/u.test(c) ? 'A' : /\p{L}/u.test(c) ? 'a' : /\p{Nd}/u.test(c) ? '0' : c,
  )

describe('redact', () => {
  const fake = compile('redact')

  it('maps the same value to the same redaction every time', () => {
    expect(compile('redact')('Alice Smith, 12 Main St.')).toBe(fake('Alice Smith, 12 Main St.'))
  })

  it('keeps the length, the case and the punctuation of ASCII text', () => {
    const v = 'Alice Smith <alice.smith@corp.test>, +1 (415) 555-0132; id=A17-x'
    const out = fake(v)
    expect(out).toHaveLength(v.length)
    expect(classes(out)).toEqual(classes(v))
    expect(out).not.toContain('Alice')
    expect(out).not.toContain('0132')
  })

  it('turns non-ASCII letters and digits into ASCII ones of the same case and class', () => {
    for (const v of [
      'Jürgen Müller-Lüdenscheidt, Straße 7',
      'ÉLODIE Ñúñez',
      '王小明 ٣٤٥',
      '𐐀𐐨 ok 👋',
    ]) {
      const out = fake(v)
      expect([...out]).toHaveLength([...v].length)
      expect(out).toMatch(/^[ -~👋]*$/u)
      expect(classes(out)).toEqual(classes(v))
    }
    expect(fake('王小明')).toMatch(/^[a-z]{3}$/)
    expect(fake('𐐀')).toMatch(/^[A-Z]$/)
  })

  it('spreads letters so that different values rarely look alike', () => {
    const outputs = new Set(Array.from({ length: 5000 }, (_, i) => fake(`Name ${i}`)))
    expect(outputs.size).toBe(5000)
  })

  it('gives other letters under another key', () => {
    const other = compile('redact', columns.text, otherKey)
    expect(other('Alice Smith')).not.toBe(fake('Alice Smith'))
  })

  it('redacts long text throughout, not only the first characters', () => {
    const long = 'a'.repeat(2000)
    const out = fake(long)
    expect(out).toHaveLength(2000)
    expect(new Set(out.slice(1000)).size).toBeGreaterThan(20)
    const mixed = 'Zoë 👋 naïve — 東京 '.repeat(100)
    expect(classes(fake(mixed))).toEqual(classes(mixed))
  })
})

import { assert, describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'
import { createCompiler } from './index.js'

/** The compiled rule as a function of strings: this transformer never returns NULL. */
const compile = (...args: Parameters<typeof compileFor>) => {
  const fn = compileFor(...args)
  return (value: string) => fn(value) ?? assert.fail(`NULL for ${value}`)
}

const many = Array.from({ length: 100_000 }, (_, i) => `User_${i}`)

describe('username', () => {
  const fake = compile('username')

  it('maps the same username to the same fake every time', () => {
    expect(compile('username')('alice')).toBe(fake('alice'))
  })

  it('gives a lowercase first_last_<hash>', () => {
    for (const v of many.slice(0, 1000)) expect(fake(v)).toMatch(/^[a-z]+_[a-z]+_[a-z2-7]{13}$/)
  })

  it('never maps two distinct usernames to one fake, even case-insensitively', () => {
    expect(new Set(many.map(fake)).size).toBe(many.length)
    expect(fake('Alice')).not.toBe(fake('alice'))
  })

  it('gives other fakes under another key', () => {
    const other = compile('username', columns.text, otherKey)
    for (const v of many.slice(0, 1000)) expect(other(v)).not.toBe(fake(v))
  })

  it('never contains the original username', () => {
    expect(fake('xochiquetzal_w')).not.toContain('xochiquetzal')
  })

  it('drops the name part, then fails with the needed width, when the column is short', () => {
    for (const n of [13, 15, 20, 24]) {
      const short = compile('username', columns.varchar(n))
      const outputs = new Set<string>()
      for (const v of many.slice(0, 10_000)) {
        const out = short(v)
        expect(out.length).toBeLessThanOrEqual(n)
        expect(out).toMatch(/^(?:[a-z]+_){0,2}[a-z2-7]{13}$/)
        outputs.add(out)
      }
      expect(outputs.size).toBe(10_000)
    }
    expect(() => createCompiler('k')('username', columns.varchar(12))).toThrow(/at least 13/)
  })
})

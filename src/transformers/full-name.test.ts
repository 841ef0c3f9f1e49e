import { assert, describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'
import { firstNames, lastNames } from './vocabulary.js'

/** The compiled rule as a function of strings: this transformer never returns NULL. */
const compile = (...args: Parameters<typeof compileFor>) => {
  const fn = compileFor(...args)
  return (value: string) => fn(value) ?? assert.fail(`NULL for ${value}`)
}

const inputs = Array.from({ length: 2000 }, (_, i) => `Xochiquetzal Wrzesniewski ${i}`)

describe('fullName', () => {
  const fake = compile('fullName')

  it('maps the same name to the same fake every time', () => {
    expect(compile('fullName')('Xochiquetzal Wrzesniewski')).toBe(fake('Xochiquetzal Wrzesniewski'))
  })

  it('gives "First Last" from the vocabulary, with first and last chosen independently', () => {
    const outputs = inputs.map(fake)
    for (const out of outputs) {
      const [first, last, ...rest] = out.split(' ')
      expect(rest).toEqual([])
      expect(firstNames).toContain(first)
      expect(lastNames).toContain(last)
    }
    expect(new Set(outputs).size).toBeGreaterThan(1900)
  })

  it('gives other names under another key', () => {
    const other = compile('fullName', columns.text, otherKey)
    expect(inputs.filter((v) => other(v) !== fake(v)).length).toBeGreaterThan(1990)
  })

  it('never contains the original first or last name', () => {
    for (const v of inputs.slice(0, 200)) {
      expect(fake(v)).not.toContain('Xochiquetzal')
      expect(fake(v)).not.toContain('Wrzesniewski')
    }
  })

  it('fits a varchar(8) column without a trailing space', () => {
    const short = compile('fullName', columns.varchar(8))
    for (const v of inputs) {
      const out = short(v)
      expect(out.length).toBeLessThanOrEqual(8)
      expect(out).toBe(out.trimEnd())
    }
  })
})

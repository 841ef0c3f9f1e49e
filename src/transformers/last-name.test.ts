import { assert, describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'
import { lastNames } from './vocabulary.js'

/** The compiled rule as a function of strings: this transformer never returns NULL. */
const compile = (...args: Parameters<typeof compileFor>) => {
  const fn = compileFor(...args)
  return (value: string) => fn(value) ?? assert.fail(`NULL for ${value}`)
}

const inputs = Array.from({ length: 2000 }, (_, i) => `Wrzesniewski ${i}`)

describe('lastName', () => {
  const fake = compile('lastName')

  it('maps the same value to the same last name every time', () => {
    expect(compile('lastName')('Wrzesniewski')).toBe(fake('Wrzesniewski'))
  })

  it('picks from the vocabulary and spreads values over it', () => {
    const outputs = inputs.map(fake)
    for (const out of outputs) expect(lastNames).toContain(out)
    expect(new Set(outputs).size).toBeGreaterThan(300)
  })

  it('gives other last names under another key', () => {
    const other = compile('lastName', columns.text, otherKey)
    const changed = inputs.filter((v) => other(v) !== fake(v)).length
    expect(changed).toBeGreaterThan(inputs.length * 0.9)
  })

  it('never contains the original value', () => {
    expect(lastNames).not.toContain('Wrzesniewski')
    expect(fake('Wrzesniewski')).not.toContain('Wrzesniewski')
  })

  it('fits a varchar(4) column', () => {
    const short = compile('lastName', columns.varchar(4))
    for (const v of inputs) expect(short(v).length).toBeLessThanOrEqual(4)
  })
})

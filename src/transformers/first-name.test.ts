import { assert, describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'
import { firstNames } from './vocabulary.js'

/** The compiled rule as a function of strings: this transformer never returns NULL. */
const compile = (...args: Parameters<typeof compileFor>) => {
  const fn = compileFor(...args)
  return (value: string) => fn(value) ?? assert.fail(`NULL for ${value}`)
}

const inputs = Array.from({ length: 2000 }, (_, i) => `Xochiquetzal ${i}`)

describe('firstName', () => {
  const fake = compile('firstName')

  it('maps the same value to the same first name every time', () => {
    expect(compile('firstName')('Xochiquetzal')).toBe(fake('Xochiquetzal'))
  })

  it('picks from the vocabulary and spreads values over it', () => {
    const outputs = inputs.map(fake)
    for (const out of outputs) expect(firstNames).toContain(out)
    expect(new Set(outputs).size).toBeGreaterThan(1000)
  })

  it('gives other first names under another key', () => {
    const other = compile('firstName', columns.text, otherKey)
    const changed = inputs.filter((v) => other(v) !== fake(v)).length
    expect(changed).toBeGreaterThan(inputs.length * 0.9)
  })

  it('never contains the original value', () => {
    expect(firstNames).not.toContain('Xochiquetzal')
    expect(fake('Xochiquetzal')).not.toContain('Xochiquetzal')
  })

  it('fits a varchar(4) column', () => {
    const short = compile('firstName', columns.varchar(4))
    for (const v of inputs) expect(short(v).length).toBeLessThanOrEqual(4)
  })
})

import { assert, describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'
import { streetNames } from './vocabulary.js'

/** The compiled rule as a function of strings: this transformer never returns NULL. */
const compile = (...args: Parameters<typeof compileFor>) => {
  const fn = compileFor(...args)
  return (value: string) => fn(value) ?? assert.fail(`NULL for ${value}`)
}

const inputs = Array.from({ length: 2000 }, (_, i) => `${i} Zwiebelgasse`)

describe('streetAddress', () => {
  const fake = compile('streetAddress')

  it('maps the same address to the same fake every time', () => {
    expect(compile('streetAddress')('7 Zwiebelgasse')).toBe(fake('7 Zwiebelgasse'))
  })

  it('gives a building number and a street name from the vocabulary', () => {
    const outputs = inputs.map(fake)
    for (const out of outputs) {
      const space = out.indexOf(' ')
      expect(out.slice(0, space)).toMatch(/^[1-9]\d{0,3}$/)
      expect(streetNames).toContain(out.slice(space + 1))
    }
    expect(new Set(outputs).size).toBeGreaterThan(1990)
  })

  it('gives other addresses under another key', () => {
    const other = compile('streetAddress', columns.text, otherKey)
    expect(inputs.filter((v) => other(v) !== fake(v)).length).toBeGreaterThan(1990)
  })

  it('never contains the original street', () => {
    for (const v of inputs) expect(fake(v)).not.toContain('Zwiebelgasse')
  })

  it('fits a varchar(10) column', () => {
    const short = compile('streetAddress', columns.varchar(10))
    for (const v of inputs) expect(short(v).length).toBeLessThanOrEqual(10)
  })
})

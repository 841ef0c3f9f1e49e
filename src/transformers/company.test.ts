import { assert, describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'
import { lastNames, legalEntityTypes } from './vocabulary.js'

/** The compiled rule as a function of strings: this transformer never returns NULL. */
const compile = (...args: Parameters<typeof compileFor>) => {
  const fn = compileFor(...args)
  return (value: string) => fn(value) ?? assert.fail(`NULL for ${value}`)
}

const inputs = Array.from({ length: 3000 }, (_, i) => `Zyxwvut Industries ${i}`)

describe('company', () => {
  const fake = compile('company')

  it('maps the same company to the same fake every time', () => {
    expect(compile('company')('Zyxwvut Industries')).toBe(fake('Zyxwvut Industries'))
  })

  it('uses all three name patterns, built from the vocabulary', () => {
    const outputs = inputs.map(fake)
    const entity = outputs.filter((o) => legalEntityTypes.some((t) => o.endsWith(` ${t}`)))
    const pair = outputs.filter((o) => / - /.test(o))
    const trio = outputs.filter((o) => /, .+ and /.test(o))
    for (const group of [entity, pair, trio]) expect(group.length).toBeGreaterThan(800)
    for (const o of pair) for (const part of o.split(' - ')) expect(lastNames).toContain(part)
    expect(new Set(outputs).size).toBeGreaterThan(2500)
  })

  it('gives other names under another key', () => {
    const other = compile('company', columns.text, otherKey)
    expect(inputs.filter((v) => other(v) !== fake(v)).length).toBeGreaterThan(2900)
  })

  it('never contains the original name', () => {
    for (const v of inputs) expect(fake(v)).not.toContain('Zyxwvut')
  })

  it('fits a varchar(12) column', () => {
    const short = compile('company', columns.varchar(12))
    for (const v of inputs) expect(short(v).length).toBeLessThanOrEqual(12)
  })
})

import { assert, describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'
import { words } from './vocabulary.js'

/** The compiled rule as a function of strings: this transformer never returns NULL. */
const compile = (...args: Parameters<typeof compileFor>) => {
  const fn = compileFor(...args)
  return (value: string) => fn(value) ?? assert.fail(`NULL for ${value}`)
}

const inputs = Array.from({ length: 2000 }, (_, i) => `quixotry ${i}`)

describe('word', () => {
  const fake = compile('word')

  it('maps the same value to the same word every time', () => {
    expect(compile('word')('quixotry')).toBe(fake('quixotry'))
  })

  it('picks from the vocabulary and spreads values over it', () => {
    const outputs = inputs.map(fake)
    for (const out of outputs) expect(words).toContain(out)
    expect(new Set(outputs).size).toBeGreaterThan(700)
  })

  it('gives other words under another key', () => {
    const other = compile('word', columns.text, otherKey)
    const changed = inputs.filter((v) => other(v) !== fake(v)).length
    expect(changed).toBeGreaterThan(inputs.length * 0.9)
  })

  it('never contains the original value', () => {
    expect(words).not.toContain('quixotry')
    expect(fake('quixotry')).not.toContain('quixotry')
  })

  it('fits a varchar(4) column', () => {
    const short = compile('word', columns.varchar(4))
    for (const v of inputs) expect(short(v).length).toBeLessThanOrEqual(4)
  })
})

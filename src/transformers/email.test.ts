import { assert, describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'
import { createCompiler } from './index.js'

/** The compiled rule as a function of strings: this transformer never returns NULL. */
const compile = (...args: Parameters<typeof compileFor>) => {
  const fn = compileFor(...args)
  return (value: string) => fn(value) ?? assert.fail(`NULL for ${value}`)
}

const emailPattern = /^[a-z0-9]+(?:\.[a-z0-9]+)*@[a-z0-9-]+(?:\.[a-z0-9-]+)+$/
const many = Array.from({ length: 100_000 }, (_, i) => `user${i}@corp.test`)

describe('email', () => {
  const fake = compile('email')

  it('maps the same email to the same fake in every table and run', () => {
    expect(compile('email')('alice@corp.test')).toBe(fake('alice@corp.test'))
  })

  it('gives a lowercase first.last.<hash>@example.com address', () => {
    for (const v of many.slice(0, 1000)) {
      const out = fake(v)
      expect(out).toMatch(emailPattern)
      expect(out).toMatch(/^[a-z]+\.[a-z]+\.[a-z2-7]{16}@example\.com$/)
    }
  })

  it('never maps two distinct emails to one fake, even case-insensitively', () => {
    const outputs = new Set(many.map((v) => fake(v).toLowerCase()))
    expect(outputs.size).toBe(many.length)
    expect(fake('Alice@Corp.test')).not.toBe(fake('alice@corp.test'))
  })

  it('gives other fakes under another key', () => {
    const other = compile('email', columns.text, otherKey)
    for (const v of many.slice(0, 1000)) expect(other(v)).not.toBe(fake(v))
  })

  it('never contains the original local part', () => {
    expect(fake('xochiquetzal.wrzesniewski@corp.test')).not.toContain('xochiquetzal')
    expect(fake('xochiquetzal.wrzesniewski@corp.test')).not.toContain('corp.test')
  })

  it('uses the configured domain and rejects one that is not a domain', () => {
    expect(compile({ transform: 'email', domain: 'Mail.Example.org' })('a@b.c')).toMatch(
      /@mail\.example\.org$/,
    )
    expect(() => compile({ transform: 'email', domain: 'not a domain' })).toThrow(/domain/)
    expect(() => compile({ transform: 'email', domain: 'a@b.com' })).toThrow(/domain/)
  })

  it('drops the name part, then fails with the needed width, when the column is short', () => {
    const tight = compile('email', columns.varchar(28))
    const outputs = new Set<string>()
    for (const v of many.slice(0, 10_000)) {
      const out = tight(v)
      expect(out.length).toBeLessThanOrEqual(28)
      expect(out).toMatch(emailPattern)
      outputs.add(out)
    }
    expect(outputs.size).toBe(10_000)
    for (const n of [29, 32, 40]) {
      for (const v of many.slice(0, 1000))
        expect(compile('email', columns.varchar(n))(v).length).toBeLessThanOrEqual(n)
    }
    expect(() => createCompiler('k')('email', columns.varchar(27))).toThrow(
      /at least 28 characters/,
    )
  })
})

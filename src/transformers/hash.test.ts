import { describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'

describe('hash', () => {
  it('maps a value to the same 64-character lowercase hex digest every time', () => {
    const fn = compileFor('hash')
    expect(fn('alice@example.com')).toMatch(/^[0-9a-f]{64}$/)
    expect(fn('alice@example.com')).toBe(fn('alice@example.com'))
  })

  it('depends on the key', () => {
    expect(compileFor('hash', columns.text, otherKey)('alice')).not.toBe(
      compileFor('hash')('alice'),
    )
  })

  it('honours length, including odd lengths', () => {
    expect(compileFor({ transform: 'hash', length: 16 })('alice')).toMatch(/^[0-9a-f]{16}$/)
    expect(compileFor({ transform: 'hash', length: 33 })('alice')).toMatch(/^[0-9a-f]{33}$/)
    expect(() => compileFor({ transform: 'hash', length: 8 })).toThrow(/length/)
    expect(() => compileFor({ transform: 'hash', length: 65 })).toThrow(/length/)
  })

  it('shortens to fit a varchar column, down to 16 characters', () => {
    expect(compileFor('hash', columns.varchar(20))('alice')).toMatch(/^[0-9a-f]{20}$/)
    expect(() => compileFor('hash', columns.varchar(12))).toThrow(/at least 16 characters/)
  })

  it('keeps 100k distinct inputs distinct at the shortest length', () => {
    const fn = compileFor({ transform: 'hash', length: 16 })
    const seen = new Set<string>()
    for (let i = 0; i < 100_000; i++) seen.add(String(fn(`user-${i}`)))
    expect(seen.size).toBe(100_000)
  })
})

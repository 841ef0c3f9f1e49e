import { describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'
import type { ColumnInfo } from './transformer.js'

const inputs = Array.from({ length: 2000 }, (_, i) => String(1000 + i * 37))

describe('number', () => {
  it('moves integers by at most the ratio and keeps them integers', () => {
    const fn = compileFor({ transform: 'number', ratio: 0.2 }, columns.integer)
    let moved = 0
    for (const v of inputs) {
      const out = fn(v)
      expect(out).toMatch(/^-?\d+$/)
      expect(Math.abs(Number(out) - Number(v))).toBeLessThanOrEqual(Number(v) * 0.2 + 1)
      if (out !== v) moved++
    }
    expect(moved).toBeGreaterThan(1900)
  })

  it('is deterministic and depends on the key', () => {
    const fn = compileFor('number', columns.integer)
    const other = compileFor('number', columns.integer, otherKey)
    expect(inputs.map(fn)).toEqual(inputs.map(fn))
    expect(inputs.map(other)).not.toEqual(inputs.map(fn))
  })

  it('stays within the integer type', () => {
    const fn = compileFor({ transform: 'number', ratio: 10 }, columns.smallint)
    for (let v = -32768; v <= 32767; v += 97) {
      const out = Number(fn(String(v)))
      expect(out).toBeGreaterThanOrEqual(-32768)
      expect(out).toBeLessThanOrEqual(32767)
    }
    expect(fn('32767')).toMatch(/^-?\d+$/)
  })

  it('handles bigint values beyond 2^53 exactly', () => {
    const fn = compileFor({ transform: 'number', ratio: 0.5 }, columns.bigint)
    for (const v of ['9007199254740993', '-9223372036854775808', '9223372036854775807']) {
      const out = BigInt(String(fn(v)))
      expect(out).toBeGreaterThanOrEqual(-(2n ** 63n))
      expect(out).toBeLessThanOrEqual(2n ** 63n - 1n)
      const diff = out > BigInt(v) ? out - BigInt(v) : BigInt(v) - out
      expect(diff * 2n).toBeLessThanOrEqual(BigInt(v) < 0n ? -BigInt(v) : BigInt(v))
    }
  })

  it('keeps the decimal places of numeric values', () => {
    const fn = compileFor('number', columns.numeric)
    expect(fn('1234.50')).toMatch(/^\d+\.\d\d$/)
    expect(fn('0.000123')).toMatch(/^0\.000\d{3}$/)
    expect(fn('12345678901234567890.123')).toMatch(/^\d{19,20}\.\d{3}$/)
  })

  it('stays within numeric(p,s)', () => {
    const money: ColumnInfo = { kind: 'numeric', type: 'numeric(5,2)', maxLength: null }
    const fn = compileFor({ transform: 'number', ratio: 5 }, money)
    for (let v = 900; v < 1000; v += 1.37) {
      expect(Math.abs(Number(fn(v.toFixed(2))))).toBeLessThanOrEqual(999.99)
    }
  })

  it('jitters floats and keeps them finite', () => {
    const fn = compileFor('number', columns.float)
    const out = Number(fn('2.71'))
    expect(out).not.toBe(2.71)
    expect(Math.abs(out - 2.71)).toBeLessThanOrEqual(0.272)
    expect(Number.isFinite(Number(fn('1.7976931348623157e+308')))).toBe(true)
    expect(Number(fn('1e-300'))).toBeGreaterThan(0)
  })

  it('keeps NaN and infinities', () => {
    for (const column of [columns.float, columns.numeric]) {
      const fn = compileFor('number', column)
      expect(['NaN', 'Infinity', '-Infinity'].map(fn)).toEqual(['NaN', 'Infinity', '-Infinity'])
    }
  })

  it('refuses a bad ratio and non-numeric columns', () => {
    expect(() => compileFor({ transform: 'number', ratio: 0 }, columns.integer)).toThrow(/ratio/)
    expect(() => compileFor({ transform: 'number', ratio: 11 }, columns.integer)).toThrow(/ratio/)
    expect(() => compileFor('number', columns.text)).toThrow(/cannot produce/)
  })
})

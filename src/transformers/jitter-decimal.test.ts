import { describe, expect, it } from 'vitest'
import { jitterDecimal, limits } from './jitter-decimal.js'

describe('jitterDecimal', () => {
  it('multiplies and keeps the number of decimal places', () => {
    expect(jitterDecimal('100.00', 0.05)).toBe('105.00')
    expect(jitterDecimal('-12.5', -0.2)).toBe('-10.0')
    expect(jitterDecimal('0.001', 0)).toBe('0.001')
    expect(jitterDecimal('7', 0.2)).toBe('8')
  })

  it('does not write a negative zero', () => {
    expect(jitterDecimal('-0.01', -0.9)).toBe('0.00')
  })

  it('is exact for integers beyond 2^53', () => {
    expect(jitterDecimal('12345678901234567890', 0.5)).toBe('18518518351851851835')
    expect(jitterDecimal('-9223372036854775808', 0)).toBe('-9223372036854775808')
  })

  it('clamps to the bounds for the scale', () => {
    const hundred = limits(-100n, 100n)
    const bounds = () => hundred
    expect(jitterDecimal('90', 0.5, bounds)).toBe('100')
    expect(jitterDecimal('-90', 0.5, bounds)).toBe('-100')
    expect(jitterDecimal('9223372036854775807', 0.5, () => limits(0n, 9223372036854775807n))).toBe(
      '9223372036854775807',
    )
  })

  it('writes scientific input out in plain form', () => {
    expect(jitterDecimal('1.5e-3', 0)).toBe('0.0015')
    expect(jitterDecimal('2E+3', 0.1)).toBe('2200')
  })

  it('refuses text that is not a decimal', () => {
    expect(jitterDecimal('abc', 0.1)).toBeUndefined()
    expect(jitterDecimal('.', 0.1)).toBeUndefined()
    expect(jitterDecimal('1e99999', 0.1)).toBeUndefined()
  })
})

import { describe, expect, it } from 'vitest'
import { columns, compileFor } from '../../test/helpers/compile-for-test.js'

describe('const', () => {
  it('replaces every value with the configured text', () => {
    const fn = compileFor({ transform: 'const', value: 'redacted' })
    expect(fn('alice')).toBe('redacted')
    expect(fn('bob')).toBe('redacted')
  })

  it('works for any column kind', () => {
    expect(compileFor({ transform: 'const', value: '0' }, columns.integer)('17')).toBe('0')
  })

  it('requires a string value', () => {
    expect(() => compileFor('const')).toThrow(/bad options for const: value/)
    expect(() => compileFor({ transform: 'const', value: 3 })).toThrow(/value/)
  })
})

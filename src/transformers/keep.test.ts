import { describe, expect, it } from 'vitest'
import { columns, compileFor } from '../../test/helpers/compile-for-test.js'
import { keep } from './keep.js'

describe('keep', () => {
  it('returns every value unchanged, whatever the column type', () => {
    expect(compileFor('keep')('alice@example.com')).toBe('alice@example.com')
    expect(compileFor('keep', columns.json)('{"a": 1}')).toBe('{"a": 1}')
    expect(compileFor('keep', columns.integer)('42')).toBe('42')
  })

  it('accepts every column kind and promises uniqueness', () => {
    expect(keep.accepts).toHaveLength(14)
    expect(keep.unique).toBe(true)
    expect(keep.nullable).toBe(false)
  })

  it('rejects options it does not know', () => {
    expect(() => compileFor({ transform: 'keep', value: 'x' })).toThrow(/bad options for keep/)
  })
})

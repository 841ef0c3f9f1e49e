import { describe, expect, it } from 'vitest'
import { columns, compileFor } from '../../test/helpers/compile-for-test.js'
import { nullify } from './null.js'

describe('null', () => {
  it('turns every value into SQL NULL', () => {
    expect(compileFor('null')('alice')).toBeNull()
    expect(compileFor('null', columns.date)('2024-01-01')).toBeNull()
  })

  it('declares that it returns NULL', () => {
    expect(nullify.nullable).toBe(true)
    expect(nullify.unique).toBe(false)
  })
})

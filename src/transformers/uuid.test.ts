import { describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'

const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('uuid', () => {
  const fn = compileFor('uuid', columns.uuid)

  it('maps the same uuid to the same version-4 uuid', () => {
    const input = '0b6e1c7a-3a59-11ee-be56-0242ac120002'
    expect(fn(input)).toMatch(v4)
    expect(fn(input)).toBe(fn(input))
    expect(fn(input)).not.toBe(input)
  })

  it('gives other outputs under another key', () => {
    const other = compileFor('uuid', columns.uuid, otherKey)
    expect(other('0b6e1c7a-3a59-11ee-be56-0242ac120002')).not.toBe(
      fn('0b6e1c7a-3a59-11ee-be56-0242ac120002'),
    )
  })

  it('keeps 100k distinct inputs distinct, all valid v4', () => {
    const seen = new Set<string>()
    for (let i = 0; i < 100_000; i++) {
      const out = String(fn(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`))
      if (!v4.test(out)) throw new Error(`not a v4 uuid: ${out}`)
      seen.add(out)
    }
    expect(seen.size).toBe(100_000)
  })

  it('works on text columns and refuses ones too short for a uuid', () => {
    expect(compileFor('uuid')('customer-17')).toMatch(v4)
    expect(() => compileFor('uuid', columns.varchar(20))).toThrow(/at least 36/)
  })
})

import { describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'
import type { ColumnInfo } from './transformer.js'

const intArray: ColumnInfo = {
  kind: 'array',
  type: 'integer[]',
  maxLength: null,
  element: {
    kind: 'integer',
    type: 'integer',
    maxLength: null,
    integerRange: [-2147483648n, 2147483647n],
  },
}

describe('array', () => {
  it('transforms every element with the nested rule', () => {
    const fn = compileFor(
      { transform: 'array', each: { transform: 'hash', length: 16 } },
      columns.textArray,
    )
    const out = fn('{alice,"bob smith",NULL}')
    expect(out).toMatch(/^\{[0-9a-f]{16},[0-9a-f]{16},NULL\}$/)
    expect(out).toBe(fn('{alice,"bob smith",NULL}'))
    expect(
      compileFor({ transform: 'array', each: 'hash' }, columns.textArray, otherKey)('{alice}'),
    ).not.toBe(compileFor({ transform: 'array', each: 'hash' }, columns.textArray)('{alice}'))
  })

  it('maps an element the same way as the scalar rule does', () => {
    const scalar = compileFor('hash')
    expect(compileFor({ transform: 'array', each: 'hash' }, columns.textArray)('{"a b"}')).toBe(
      `{${scalar('a b')}}`,
    )
  })

  it('keeps structure, bounds and NULLs', () => {
    const fn = compileFor(
      { transform: 'array', each: { transform: 'const', value: 'x y' } },
      columns.textArray,
    )
    expect(fn('[0:1][1:2]={{a,NULL},{"c,d",""}}')).toBe('[0:1][1:2]={{"x y",NULL},{"x y","x y"}}')
    expect(fn('{}')).toBe('{}')
  })

  it('turns null results into NULL elements', () => {
    expect(compileFor({ transform: 'array', each: 'null' }, columns.textArray)('{a,b}')).toBe(
      '{NULL,NULL}',
    )
  })

  it('compiles the rule for the element type', () => {
    const fn = compileFor({ transform: 'array', each: 'number' }, intArray)
    expect(fn('{100,200,NULL}')).toMatch(/^\{\d+,\d+,NULL\}$/)
    expect(() => compileFor({ transform: 'array', each: 'hash' }, intArray)).toThrow(
      /array element \(integer\): hash cannot produce/,
    )
  })

  it('reports unknown nested transformers and missing element types', () => {
    expect(() => compileFor({ transform: 'array', each: 'shuffle' }, columns.textArray)).toThrow(
      /unknown transformer "shuffle"/,
    )
    expect(() => compileFor({ transform: 'array' }, columns.textArray)).toThrow(/each/)
    const noElement: ColumnInfo = { kind: 'array', type: 'text[]', maxLength: null }
    expect(() => compileFor({ transform: 'array', each: 'hash' }, noElement)).toThrow(
      /element type/,
    )
  })
})

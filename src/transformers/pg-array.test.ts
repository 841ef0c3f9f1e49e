import { describe, expect, it } from 'vitest'
import { mapPgArray, serialize } from './pg-array.js'

const identity = (v: string) => v
const upper = (v: string) => v.toUpperCase()

describe('mapPgArray', () => {
  it('round-trips what PostgreSQL writes, quoting included', () => {
    for (const text of [
      '{}',
      '{a,b,c}',
      '{"c d",NULL,""}',
      '{"with \\"quote\\" and \\\\ backslash","a,b","{x}","null"}',
      '{{1,2},{3,4}}',
      '{{{a}},{{NULL}}}',
      '[0:1]={a,b}',
      '[1:2][3:4]={{a,b},{c,d}}',
      '{"tab\there","new\nline"}',
    ]) {
      expect(mapPgArray(text, identity)).toBe(text)
    }
  })

  it('hands the function unescaped elements and keeps NULLs NULL', () => {
    const seen: string[] = []
    const out = mapPgArray('{plain,"with \\"q\\" \\\\",NULL,"NULL"}', (v) => {
      seen.push(v)
      return v
    })
    expect(seen).toEqual(['plain', 'with "q" \\', 'NULL'])
    expect(out).toBe('{plain,"with \\"q\\" \\\\",NULL,"NULL"}')
  })

  it('transforms every element, keeping dimensions and bounds', () => {
    expect(mapPgArray('[0:1][1:2]={{a,b},{NULL,d}}', upper)).toBe('[0:1][1:2]={{A,B},{NULL,D}}')
  })

  it('quotes results that need it and writes null results as NULL', () => {
    expect(mapPgArray('{a,b,c,d}', (v) => ({ a: 'x y', b: '', c: 'null' })[v] ?? null)).toBe(
      '{"x y","","null",NULL}',
    )
  })

  it('rejects text that is not an array literal', () => {
    expect(() => mapPgArray('a,b', identity)).toThrow(/not a PostgreSQL array/)
    expect(() => mapPgArray('{a,b', identity)).toThrow(/not a PostgreSQL array/)
    expect(() => mapPgArray('{"a}', identity)).toThrow(/not a PostgreSQL array/)
  })
})

describe('serialize', () => {
  it('quotes exactly when PostgreSQL would misread the bare element', () => {
    expect(serialize('abc')).toBe('abc')
    expect(serialize('NuLl')).toBe('"NuLl"')
    expect(serialize('a b')).toBe('"a b"')
    expect(serialize('a\\b')).toBe('"a\\\\b"')
    expect(serialize('{')).toBe('"{"')
    expect(serialize(null)).toBe('NULL')
  })
})

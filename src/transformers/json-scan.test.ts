import { describe, expect, it } from 'vitest'
import { containerEnd, literalEnd, numberEnd, skipSpace, stringEnd } from './json-scan.js'

describe('json scanning', () => {
  it('finds the end of each kind of token', () => {
    expect(skipSpace(' \t\r\n x', 0, 6)).toBe(5)
    expect(numberEnd('-12.5e+3,', 0, 9)).toBe(8)
    expect(literalEnd('[false]', 1, 7)).toBe(6)
    expect(() => literalEnd('[nope]', 1, 6)).toThrow(/not valid JSON \(at character 2\)/)
    expect(stringEnd('["ab", "c"]', 1, 11, false)).toBe(5)
    expect(stringEnd('["a\\"b", "c"]', 1, 13, true)).toBe(7)
  })

  it('skips containers without being fooled by brackets inside strings', () => {
    const doc = '{"a": ["]", "}\\"{"], "b": {}} tail'
    expect(containerEnd(doc, 0, doc.length, true)).toBe(doc.indexOf(' tail'))
    const plain = '{"a": ["]", "}{"], "b": {}} tail'
    expect(containerEnd(plain, 0, plain.length, false)).toBe(plain.indexOf(' tail'))
    expect(() => containerEnd('{"a": [1}', 0, 9, false)).toThrow(/not valid JSON/)
  })

  it('reads nothing at or past the end it is given (the rest of a segment of rows)', () => {
    // The document is `{"a": "x` of a row whose next field holds the closing quote.
    const segment = '{"a": "x\t"}\n \t 12\ttrue'
    expect(stringEnd(segment, 6, 8, false)).toBe(-1)
    expect(stringEnd(segment, 6, 8, true)).toBe(-1)
    expect(() => containerEnd(segment, 0, 8, false)).toThrow(/not valid JSON/)
    expect(skipSpace(segment, 12, 13)).toBe(13)
    expect(numberEnd(segment, 15, 16)).toBe(16)
    expect(() => literalEnd(segment, 18, 20)).toThrow(/not valid JSON/)
  })
})

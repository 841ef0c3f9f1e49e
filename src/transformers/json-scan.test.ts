import { describe, expect, it } from 'vitest'
import {
  containerEnd,
  decodeEscaped,
  literalEnd,
  numberEnd,
  skipSpace,
  stringEnd,
} from './json-scan.js'

const bytes = (s: string) => Buffer.from(s, 'utf8')

describe('json scanning', () => {
  it('finds the end of each kind of token', () => {
    expect(skipSpace(bytes(' \t\r\n x'), 0, 6)).toBe(5)
    expect(numberEnd(bytes('-12.5e+3,'), 0, 9)).toBe(8)
    expect(literalEnd(bytes('[false]'), 1, 7, 0)).toBe(6)
    expect(() => literalEnd(bytes('[nope]'), 1, 6, 0)).toThrow(/not valid JSON \(at character 2\)/)
    expect(stringEnd(bytes('["ab", "c"]'), 1, 11, false)).toBe(5)
  })

  it('finds the end of a string past escaped quotes and backslashes', () => {
    const doc = bytes('["a\\"b", "c\\\\", "d"]')
    expect(stringEnd(doc, 1, doc.length, true)).toBe(7)
    expect(stringEnd(doc, 9, doc.length, true)).toBe(14)
    expect(stringEnd(bytes('"open'), 0, 5, true)).toBe(-1)
    expect(stringEnd(bytes('"open\\"'), 0, 7, true)).toBe(-1)
  })

  it('decodes escapes, and names a bad one by its position in the document', () => {
    const doc = bytes('x "a\\"b\\\\c\\u00e9\\n\\ud83d\\ude00"')
    expect(decodeEscaped(doc, 2, doc.length, 0)).toBe('a"b\\cé\n😀')
    expect(() => decodeEscaped(bytes('x "\\q"'), 2, 6, 1)).toThrow(/at character 2\)/)
  })

  it('skips containers without being fooled by brackets inside strings', () => {
    const doc = bytes('{"a": ["]", "}\\"{"], "b": {}} tail')
    expect(containerEnd(doc, 0, doc.length, true, 0)).toBe(doc.indexOf(' tail'))
    const plain = bytes('{"a": ["]", "}{"], "b": {}} tail')
    expect(containerEnd(plain, 0, plain.length, false, 0)).toBe(plain.indexOf(' tail'))
    expect(() => containerEnd(bytes('{"a": [1}'), 0, 9, false, 0)).toThrow(/not valid JSON/)
  })

  it('reads nothing at or past the end it is given (the rest of a segment of rows)', () => {
    // The document is `{"a": "x` of a row whose next field holds the closing quote.
    const segment = bytes('{"a": "x\t"}\n \t 12\ttrue')
    expect(stringEnd(segment, 6, 8, false)).toBe(-1)
    expect(stringEnd(segment, 6, 8, true)).toBe(-1)
    expect(() => containerEnd(segment, 0, 8, false, 0)).toThrow(/not valid JSON/)
    expect(skipSpace(segment, 12, 13)).toBe(13)
    expect(numberEnd(segment, 15, 16)).toBe(16)
    expect(() => literalEnd(segment, 18, 20, 0)).toThrow(/not valid JSON/)
  })
})

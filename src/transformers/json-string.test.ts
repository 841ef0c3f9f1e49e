import { describe, expect, it } from 'vitest'
import { decodeJsonString, encodeJsonString, jsonStringEnd } from './json-string.js'

describe('json strings', () => {
  it('encodes what JSON.parse reads back', () => {
    for (const s of [
      'plain',
      'quote " and \\ backslash',
      'line\nbreak\ttab\r\b\f',
      '\u0001\u001f',
      'é 中 😀',
      '',
    ]) {
      expect(JSON.parse(encodeJsonString(s))).toBe(s)
    }
    expect(encodeJsonString('é')).toBe('"é"')
    expect(encodeJsonString('a\u0001')).toBe('"a\\u0001"')
  })

  it('finds the end of a string past escaped quotes and backslashes', () => {
    const doc = '["a\\"b", "c\\\\", "d"]'
    expect(jsonStringEnd(doc, 1)).toBe(7)
    expect(jsonStringEnd(doc, 9)).toBe(14)
    expect(jsonStringEnd('"open', 0)).toBe(-1)
  })

  it('decodes escapes', () => {
    const doc = '"a\\"b\\\\c\\u00e9\\n\\ud83d\\ude00"'
    expect(decodeJsonString(doc, 0, doc.length)).toBe('a"b\\cé\n😀')
  })
})

import { describe, expect, it } from 'vitest'
import { encodeJsonString } from './json-string.js'

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
})

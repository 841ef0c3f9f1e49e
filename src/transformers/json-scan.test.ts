import { describe, expect, it } from 'vitest'
import { containerEnd, literalEnd, numberEnd, skipSpace } from './json-scan.js'

describe('json scanning', () => {
  it('finds the end of each kind of token', () => {
    expect(skipSpace(' \t\r\n x', 0)).toBe(5)
    expect(numberEnd('-12.5e+3,', 0)).toBe(8)
    expect(literalEnd('[false]', 1)).toBe(6)
    expect(() => literalEnd('[nope]', 1)).toThrow(/not valid JSON \(at character 2\)/)
  })

  it('skips containers without being fooled by brackets inside strings', () => {
    const doc = '{"a": ["]", "}\\"{"], "b": {}} tail'
    expect(containerEnd(doc, 0)).toBe(doc.indexOf(' tail'))
    expect(() => containerEnd('{"a": [1}', 0)).toThrow(/not valid JSON/)
  })
})

import { describe, expect, it } from 'vitest'
import { leakPatterns, skipReason } from './leak-patterns.js'

describe('leak patterns', () => {
  it('spells a value as COPY text, as a JSON string in COPY text and as an array element', () => {
    const forms = leakPatterns('say "hi"\tC:\\x').map((b) => b.toString())
    expect(forms).toEqual([
      'say "hi"\\tC:\\\\x',
      'say \\\\"hi\\\\"\\\\tC:\\\\\\\\x',
      'say \\\\"hi\\\\"\\tC:\\\\\\\\x',
    ])
  })

  it('skips short, common and fake-looking values, and keeps real ones', () => {
    expect(skipReason('Alice', 1, 100)).toBe('short')
    expect(skipReason('unknown', 1, 100)).toBe('common')
    expect(skipReason('purchase', 30, 600)).toBe('common')
    expect(skipReason('Olivia Smith', 1, 100)).toBe('fake')
    expect(skipReason('12 Abbey Road', 1, 100)).toBe('fake')
    expect(skipReason('Zoë Ångström', 1, 100)).toBeNull()
    expect(skipReason('alice.liddell@wonderland.test', 2, 100)).toBeNull()
  })
})

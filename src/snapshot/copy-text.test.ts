import { describe, expect, it } from 'vitest'
import { escapeCopyValue, unescapeCopyValue } from './copy-text.js'

describe('COPY text escaping', () => {
  const tricky = [
    '',
    'plain',
    'tab\there',
    'new\nline',
    'cr\rlf\r\n',
    'back\\slash',
    '\\N',
    '\\.',
    'all\t\n\\\b\f\v',
    'Zoë Ångström ✓',
  ]

  it.each(tricky)('round-trips %j', (value) => {
    expect(unescapeCopyValue(escapeCopyValue(value))).toBe(value)
  })

  it('never leaves a raw tab, newline or lone backslash in an escaped value', () => {
    for (const value of tricky) {
      const escaped = escapeCopyValue(value)
      expect(escaped).not.toMatch(/[\t\n\r]/)
      expect(escaped.replace(/\\\\/g, '').replace(/\\[nrtbfv]/g, '')).not.toContain('\\')
    }
  })

  it('keeps "\\N" text distinct from NULL', () => {
    expect(escapeCopyValue('\\N')).toBe('\\\\N')
  })

  it('reads octal and hex escapes that COPY FROM accepts', () => {
    expect(unescapeCopyValue('a\\101\\x42c')).toBe('aABc')
  })
})

import { isIPv4, isIPv6 } from 'node:net'
import { describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'
import type { ColumnInfo } from './transformer.js'

const fullV6 = /^[0-9a-f]{4}(:[0-9a-f]{4}){7}$/

describe('ip', () => {
  const inet = compileFor('ip', columns.inet)
  const fn = (v: string) => String(inet(v))

  it('keeps the family: v4 stays v4, v6 becomes a full v6 address', () => {
    for (let i = 0; i < 1000; i++) {
      expect(isIPv4(fn(`10.0.${i >> 8}.${i & 255}`))).toBe(true)
      const v6 = fn(`2001:db8::${i.toString(16)}`)
      expect(v6).toMatch(fullV6)
      expect(isIPv6(v6)).toBe(true)
    }
    expect(fn('::ffff:1.2.3.4')).toMatch(fullV6)
  })

  it('is deterministic, changes the address and depends on the key', () => {
    expect(fn('192.168.1.10')).toBe(fn('192.168.1.10'))
    expect(fn('192.168.1.10')).not.toBe('192.168.1.10')
    expect(compileFor('ip', columns.inet, otherKey)('192.168.1.10')).not.toBe(fn('192.168.1.10'))
  })

  it('keeps a prefix and maps the host alike with or without it', () => {
    const out = fn('192.168.1.10/24')
    expect(out).toBe(`${fn('192.168.1.10')}/24`)
    expect(fn('2001:db8::1/64')).toMatch(/^[0-9a-f:]{39}\/64$/)
  })

  it('clears host bits for cidr columns', () => {
    const cidr: ColumnInfo = { kind: 'inet', type: 'cidr', maxLength: null }
    const compiled = compileFor('ip', cidr)
    const net = (v: string) => String(compiled(v))
    expect(net('10.1.0.0/16')).toMatch(/^\d+\.\d+\.0\.0\/16$/)
    expect(net('10.1.2.0/20').split('/')[0]?.split('.')[2]).toMatch(
      /^(0|16|32|48|64|80|96|112|128|144|160|176|192|208|224|240)$/,
    )
    expect(net('2001:db8::/32')).toMatch(/^[0-9a-f]{4}:[0-9a-f]{4}(:0000){6}\/32$/)
  })

  it('turns text that is not an address into a v4 address', () => {
    const compiled = compileFor('ip', columns.text)
    const text = (v: string) => String(compiled(v))
    expect(isIPv4(text('unknown'))).toBe(true)
    expect(isIPv4(text('1.2.3.4/99'))).toBe(true)
    expect(isIPv6(text('fe80::1'))).toBe(true)
  })
})

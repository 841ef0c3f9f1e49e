import { describe, expect, it } from 'vitest'
import { containedKinds, hasNamePair, wholeValueKind } from './value-hints.js'

describe('value hints', () => {
  it.each([
    ['alice@example.org', 'email'],
    ['+44 20 7946 0958', 'phone'],
    ['(202) 555-0147', 'phone'],
    ['203.0.113.7', 'ip'],
    ['2001:db8::42', 'ip'],
    ['GB82 WEST 1234 5698 7654 32', 'iban'],
    ['4111 1111 1111 1111', 'card'],
  ])('%s is a whole %s', (value, kind) => {
    expect(wholeValueKind(value)).toBe(kind)
  })

  it.each([
    '12345678',
    '2024-01-01',
    'GB82 WEST 1234 5698 7654 33',
    '4111 1111 1111 1112',
    'hello',
  ])('%s is none of them', (value) => {
    expect(wholeValueKind(value)).toBeNull()
  })

  it('finds emails, phones and IPs inside free text', () => {
    expect(containedKinds('Reach me at alice@example.org or +1 202 555 0147')).toEqual([
      'email',
      'phone',
    ])
    expect(containedKinds('logged in from 10.20.0.5 today')).toEqual(['ip'])
    expect(containedKinds('order 12345 shipped')).toEqual([])
  })

  it('sees capitalised word pairs as names', () => {
    expect(hasNamePair('Passport scan - Alice Liddell')).toBe(true)
    expect(hasNamePair('CV - Zoë Ångström')).toBe(true)
    expect(hasNamePair('Plain item')).toBe(false)
  })
})

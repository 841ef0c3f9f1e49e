import { describe, expect, it } from 'vitest'
import { looksDisposable, nameHint, nameWords } from './name-hints.js'

describe('name hints', () => {
  it('splits names in any casing into words', () => {
    expect(nameWords('firstName')).toEqual(['first', 'name'])
    expect(nameWords('FIRST-NAME')).toEqual(['first', 'name'])
    expect(nameWords('IPAddress2')).toEqual(['ip', 'address', '2'])
  })

  it.each([
    ['email', 'email'],
    ['billingEmail', 'email'],
    ['email_address', 'email'],
    ['last_login_ip', 'ip'],
    ['remote_addr', 'ip'],
    ['shipping_address', 'street'],
    ['DOB', 'birth'],
    ['zipCode', 'postcode'],
    ['fname', 'firstName'],
    ['Surname', 'lastName'],
    ['password_hash', 'secret'],
    ['apiKey', 'secret'],
    ['iban', 'governmentId'],
    ['mobile', 'phone'],
  ])('%s looks like %s', (name, category) => {
    expect(nameHint(name)?.category).toBe(category)
  })

  it('reads a plain name as a person only in a table or object of people', () => {
    expect(nameHint('name', 'customers')?.category).toBe('fullName')
    expect(nameHint('name', 'feature_flags')).toBeNull()
    expect(nameHint('created_at')).toBeNull()
    expect(nameHint('login_count')?.category).toBe('username')
  })

  it('spots tables of sessions, tokens and logs', () => {
    expect(looksDisposable('user_sessions')).toBe('sessions')
    expect(looksDisposable('log')).toBe('log')
    expect(looksDisposable('invoices')).toBeNull()
  })
})

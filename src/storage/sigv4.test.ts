import { describe, expect, it } from 'vitest'
import { createSigningKeys } from './sigv4.js'

describe('createSigningKeys', () => {
  const creds = {
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  }

  it('derives the SigV4 signing key (AWS documentation example)', () => {
    const key = createSigningKeys().get(creds, '20150830', 'us-east-1', 'iam')
    expect(key.toString('hex')).toBe(
      'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9',
    )
  })

  it('keeps the keys of two scopes used in turn (a presigner and fast PUTs sharing one cache)', () => {
    const keys = createSigningKeys()
    const a = keys.get(creds, '20261128', 'eu-west-1', 's3')
    const b = keys.get({ ...creds, accessKeyId: 'AKIDOTHER' }, '20261128', 'eu-west-1', 's3')
    expect(keys.get(creds, '20261128', 'eu-west-1', 's3')).toBe(a)
    expect(keys.get({ ...creds, accessKeyId: 'AKIDOTHER' }, '20261128', 'eu-west-1', 's3')).toBe(b)
  })
})

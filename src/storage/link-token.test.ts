import { describe, expect, it } from 'vitest'
import { signLinkToken, verifyLinkToken } from './link-token.js'

const secret = 'a-test-secret-of-at-least-32-bytes!!'
const id = '20261127T030000Z-3f9a'
const now = new Date('2026-11-27T12:00:00Z')
const in180s = new Date(now.getTime() + 180_000)

describe('link tokens', () => {
  it('grant the snapshot they were signed for until they expire', () => {
    const token = signLinkToken(secret, id, in180s)
    expect(verifyLinkToken(secret, token, now)).toBe(id)
    expect(verifyLinkToken(secret, token, new Date(in180s.getTime() - 1000))).toBe(id)
    expect(verifyLinkToken(secret, token, in180s)).toBeNull()
  })

  it('refuse a token with any character changed, or signed with another secret', () => {
    const token = signLinkToken(secret, id, in180s)
    for (let i = 0; i < token.length; i++) {
      // 'A' and 'B' differ in the lowest bit, which is padding in the last character.
      for (const c of ['A', 'B']) {
        if (token[i] === c) continue
        expect(verifyLinkToken(secret, token.slice(0, i) + c + token.slice(i + 1), now)).toBeNull()
      }
    }
    expect(verifyLinkToken(`${secret}x`, token, now)).toBeNull()
  })

  it('refuse a payload re-signed for another snapshot without the secret', () => {
    const [, mac] = signLinkToken(secret, id, in180s).split('.')
    const forged = Buffer.from(
      JSON.stringify({ id: '20261127T030000Z-0000', exp: in180s.getTime() / 1000 }),
    ).toString('base64url')
    expect(verifyLinkToken(secret, `${forged}.${mac}`, now)).toBeNull()
    expect(verifyLinkToken(secret, '', now)).toBeNull()
    expect(verifyLinkToken(secret, '../../etc/passwd', now)).toBeNull()
  })
})

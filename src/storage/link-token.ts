import { createHmac, timingSafeEqual } from 'node:crypto'
import { isSnapshotId } from './keys.js'

/**
 * Download tokens for local storage: `<payload>.<mac>`, both base64url, where the
 * payload is `{"id":…,"exp":<unix seconds>}` and the mac its HMAC-SHA256 under
 * DUMPLING_LINK_SECRET. A bearer token: never log it.
 */
export function signLinkToken(secret: string, id: string, expiresAt: Date): string {
  const payload = Buffer.from(
    JSON.stringify({ id, exp: Math.floor(expiresAt.getTime() / 1000) }),
  ).toString('base64url')
  return `${payload}.${mac(secret, payload)}`
}

/** The snapshot id a token grants, or null when it is altered, malformed or expired. */
export function verifyLinkToken(secret: string, token: string, now: Date): string | null {
  const match = /^([A-Za-z0-9_-]{1,512})\.([A-Za-z0-9_-]{43})$/.exec(token)
  if (!match) return null
  const [, payload = '', given = ''] = match
  // Compare the text, not decoded bytes: an altered padding bit must fail too.
  const expected = Buffer.from(mac(secret, payload))
  const actual = Buffer.from(given)
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null
  let claims: unknown
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'))
  } catch {
    return null
  }
  const { id, exp } = (claims ?? {}) as { id?: unknown; exp?: unknown }
  if (typeof id !== 'string' || !isSnapshotId(id) || typeof exp !== 'number') return null
  return now.getTime() < exp * 1000 ? id : null
}

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(`dumpling-link.v1.${payload}`).digest('base64url')
}

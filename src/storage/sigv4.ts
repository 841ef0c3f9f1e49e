import { createHash, createHmac } from 'node:crypto'

/** What SigV4 signs with (the SDK's resolved credentials). */
export interface Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export interface SigningKeys {
  get(creds: Credentials, shortDate: string, region: string, service: string): Buffer
}

/**
 * SigV4's signing keys for a day, region, service and credentials: four HMACs, made
 * once a day. One cache serves a client's presigner and its fast PUTs (s3-storage.ts
 * makes one per client); it keeps the last few keys, so that two scopes or a
 * credential rotation do not evict each other on every call.
 */
export function createSigningKeys(kept = 4): SigningKeys {
  const byId = new Map<string, Buffer>()
  return {
    get(creds, shortDate, region, service) {
      const id = `${shortDate}/${region}/${service}/${creds.accessKeyId}/${creds.secretAccessKey}`
      const cached = byId.get(id)
      if (cached) return cached
      let key: Buffer = Buffer.from(`AWS4${creds.secretAccessKey}`)
      for (const part of [shortDate, region, service, 'aws4_request']) {
        key = createHmac('sha256', key).update(part).digest()
      }
      byId.set(id, key)
      const oldest = byId.keys().next().value
      if (byId.size > kept && oldest !== undefined) byId.delete(oldest)
      return key
    },
  }
}

/** RFC 3986 escaping, as SigV4 wants it (and as the SDK's escapeUri does it). */
export function escapeUri(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

/** `20261127T160512Z`: SigV4's long date. */
export function longDateOf(date: Date): string {
  return date.toISOString().replace(/[-:]|\.\d{3}/g, '')
}

/** Headers SigV4 never signs (the SDK's ALWAYS_UNSIGNABLE_HEADERS and its patterns). */
const unsignable = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
])
const isSignable = (name: string) =>
  !unsignable.has(name) && !name.startsWith('proxy-') && !name.startsWith('sec-')

export interface HeaderSigning {
  method: string
  /** The request path as sent (S3: escaped once, not normalized). */
  path: string
  /** Query parameters, unescaped. */
  query: Record<string, string>
  /** Lower-case names; must hold host, x-amz-date and x-amz-content-sha256 (and the token, if any). */
  headers: Record<string, string>
  payloadHash: string
  creds: Credentials
  region: string
  service: string
  keys: SigningKeys
}

/**
 * The `authorization` header of a SigV4 header-signed request, for S3 (path not escaped
 * twice): every signable header is signed, as the SDK's SignatureV4 does it.
 */
export function authorizationFor(r: HeaderSigning): string {
  const longDate = r.headers['x-amz-date'] ?? ''
  const shortDate = longDate.slice(0, 8)
  const scope = `${shortDate}/${r.region}/${r.service}/aws4_request`
  const names = Object.keys(r.headers).filter(isSignable).sort()
  const canonicalHeaders = names
    .map(
      (n) =>
        `${n}:${(r.headers[n] ?? '')
          .replace(/[\r\n]/g, ' ')
          .replace(/[ \t]+/g, ' ')
          .replace(/^ | $/g, '')}`,
    )
    .join('\n')
  const query = Object.keys(r.query)
    .map((name) => [escapeUri(name), escapeUri(r.query[name] ?? '')] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&')
  const signedHeaders = names.join(';')
  const canonical = `${r.method}\n${r.path}\n${query}\n${canonicalHeaders}\n\n${signedHeaders}\n${r.payloadHash}`
  const hashed = createHash('sha256').update(canonical).digest('hex')
  const signature = createHmac('sha256', r.keys.get(r.creds, shortDate, r.region, r.service))
    .update(`AWS4-HMAC-SHA256\n${longDate}\n${scope}\n${hashed}`)
    .digest('hex')
  return `AWS4-HMAC-SHA256 Credential=${r.creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`
}

import { createHash, createHmac } from 'node:crypto'
import type { GetObjectCommandInput, S3Client } from '@aws-sdk/client-s3'
import { GetObjectCommand } from '@aws-sdk/client-s3'
import { formatUrl } from '@aws-sdk/core/util'
import { getSignedUrl, S3RequestPresigner } from '@aws-sdk/s3-request-presigner'
import {
  type Credentials,
  createSigningKeys,
  escapeUri,
  longDateOf,
  type SigningKeys,
} from './sigv4.js'
import { stopAtSigner } from './stop-at-signer.js'

/** Signs a GET of one object: the URL getSignedUrl would give for the same signing date. */
export type PresignGet = (
  input: GetObjectCommandInput,
  options: { expiresIn: number; signingDate: Date },
) => Promise<string>

type Request = Parameters<S3RequestPresigner['presign']>[0]

/** The unsigned request for one object, as the client's middleware stack builds it. */
interface Template {
  request: Request
  signingRegion: string
  signingService: string
  /** Signs a link without the SDK's signer; null when it could not match the SDK's. */
  fast?: FastSign | null
}

/** Headers the SDK adds per attempt; getSignedUrl drops them before signing too. */
const perAttemptHeaders = ['amz-sdk-invocation-id', 'amz-sdk-request', 'x-amz-user-agent']

/**
 * Presigned GETs at the cost of a signature. The SDK's `getSignedUrl` clones the
 * middleware stack, resolves the endpoint and builds a new signer (whose signing-key
 * cache starts empty) on every call: about 4.6 ms each on this machine. Here the
 * request for an object is built once through the same stack and presigned once by
 * the SDK's signer; each link then only recomputes what changes with its time and
 * lifetime (one SHA-256 and one HMAC, about a quarter of the SDK signer's CPU). That
 * first SDK presign is also the check: a template whose signature we do not
 * reproduce exactly is signed by the SDK every time. S3 Express buckets, whose session
 * credentials come from that stack, keep using `getSignedUrl`.
 */
export function createS3Presigner(
  client: S3Client,
  remembered = 8,
  /** The client's signing-key cache, shared with its fast PUTs (s3-storage.ts). */
  keys: SigningKeys = createSigningKeys(),
): PresignGet {
  const presigner = new S3RequestPresigner({ ...client.config })
  const templates = new Map<string, Promise<Template | null>>()
  const credentials = () => client.config.credentials() as Promise<Credentials>

  const templateFor = (input: GetObjectCommandInput): Promise<Template | null> => {
    const key = JSON.stringify(input)
    let template = templates.get(key)
    if (!template) {
      template = buildTemplate(client, input).then(
        async (t) => t && { ...t, fast: await fastSigner(presigner, t, credentials, keys) },
      )
      templates.set(key, template)
      template.catch(() => templates.delete(key))
      // A snapshot id per entry: only the newest few are ever asked for.
      const oldest = templates.keys().next().value
      if (templates.size > remembered && oldest !== undefined) templates.delete(oldest)
    }
    return template
  }

  return async (input, options) => {
    const template = await templateFor(input)
    if (!template) return getSignedUrl(client, new GetObjectCommand(input), options)
    if (template.fast) return template.fast(options.signingDate, options.expiresIn)
    const { request, signingRegion, signingService } = template
    return formatUrl(
      await presigner.presign(request, { ...options, signingRegion, signingService }),
    )
  }
}

/** Query parameters that change with each link's time, lifetime or credentials. */
const perLink = new Set([
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-Security-Token',
  'X-Amz-Signature',
])

/** A query parameter: its name, and `name=value` escaped. */
type Entry = [string, string]

type FastSign = (signingDate: Date, expiresIn: number) => Promise<string>

/**
 * Presign once with the SDK, keep what does not change between links (the object's
 * query, the signed headers, the payload hash), and sign each link with those parts:
 * SigV4 as the SDK does it (sorted, RFC 3986-escaped query; S3 paths not escaped
 * twice). Null when the result differs from the SDK's own, for any reason.
 */
async function fastSigner(
  presigner: S3RequestPresigner,
  template: Template,
  credentials: () => Promise<Credentials>,
  keys: SigningKeys,
): Promise<FastSign | null> {
  const { request, signingRegion: region, signingService: service } = template
  const probeDate = new Date()
  const probe = await presigner.presign(request, {
    expiresIn: 180,
    signingDate: probeDate,
    signingRegion: region,
    signingService: service,
  })
  const query = probe.query as Record<string, string | string[] | null>
  const signedHeaders = query['X-Amz-SignedHeaders']
  const payloadHash = query['X-Amz-Content-Sha256']
  if (typeof signedHeaders !== 'string' || typeof payloadHash !== 'string') return null
  const fixed: Record<string, string> = {}
  for (const [name, value] of Object.entries(query)) {
    if (perLink.has(name)) continue
    if (typeof value !== 'string') return null
    fixed[name] = value
  }
  const headerValue = (name: string) =>
    Object.entries(probe.headers).find(([h]) => h.toLowerCase() === name)?.[1]
  const canonicalHeaders = signedHeaders
    .split(';')
    .map(
      (name) =>
        `${name}:${String(headerValue(name) ?? '')
          .trim()
          .replace(/\s+/g, ' ')}`,
    )
    .join('\n')
  // Each parameter escaped once as `name=value`; a link sorts the pairs by escaped name
  // for the canonical request, and by name for the URL (as the SDK's formatUrl does).
  const pair = (name: string, value: string): Entry => [
    name,
    `${escapeUri(name)}=${escapeUri(value)}`,
  ]
  const fixedEntries = Object.entries(fixed).map(([name, value]) => pair(name, value))
  const prefix = formatUrl({ ...probe, query: {} })
  const head = `${probe.method}\n${probe.path}\n`
  const tail = `\n${canonicalHeaders}\n\n${signedHeaders}\n${payloadHash}`
  // The pairs' order depends on their names only: sorted once for links with and without a
  // session token, not per link. A number stands for the link's own pair at that index.
  const layouts = new Map<boolean, Layout>()
  const layoutOf = (withToken: boolean): Layout => {
    let layout = layouts.get(withToken)
    if (!layout) {
      layout = layoutFor(fixedEntries, withToken ? perLinkNames : perLinkNames.slice(0, 3))
      layouts.set(withToken, layout)
    }
    return layout
  }
  let credential = { of: '', escaped: '' }

  const sign: FastSign = async (signingDate, expiresIn) => {
    const creds = await credentials()
    const longDate = longDateOf(signingDate)
    const shortDate = longDate.slice(0, 8)
    const scope = `${shortDate}/${region}/${service}/aws4_request`
    const of = `${creds.accessKeyId}/${scope}`
    if (credential.of !== of) credential = { of, escaped: escapeUri(of) }
    const token = creds.sessionToken || undefined
    // In the order of perLinkNames; the signature goes last.
    const own = [
      `X-Amz-Credential=${credential.escaped}`,
      `X-Amz-Date=${longDate}`,
      `X-Amz-Expires=${expiresIn}`,
      token === undefined ? '' : `X-Amz-Security-Token=${escapeUri(token)}`,
      '',
    ]
    const layout = layoutOf(token !== undefined)
    const hashed = createHash('sha256')
      .update(`${head}${fill(layout.canonical, own)}${tail}`)
      .digest('hex')
    const signature = createHmac('sha256', keys.get(creds, shortDate, region, service))
      .update(`AWS4-HMAC-SHA256\n${longDate}\n${scope}\n${hashed}`)
      .digest('hex')
    own[4] = `X-Amz-Signature=${signature}`
    return `${prefix}?${fill(layout.url, own)}`
  }
  // The SDK's own signature for the same time is the test: any difference, and the SDK signs.
  const ours = new URL(await sign(probeDate, 180))
  const theirs = new URL(formatUrl(probe))
  return ours.href === theirs.href ? sign : null
}

/** The per-link parameters, in the order a link's own pairs are passed to `fill`. */
const perLinkNames = ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-Security-Token']

/** A link's pairs in order: fixed `name=value` text, or the index of one of its own. */
interface Layout {
  /** By escaped name, as SigV4's canonical query sorts them; without the signature. */
  canonical: Array<string | number>
  /** By name, as the SDK's formatUrl writes them; the signature included. */
  url: Array<string | number>
}

function layoutFor(fixed: Entry[], own: string[]): Layout {
  const parts = (entries: Array<[string, string | number]>) => entries.map((e) => e[1])
  const all: Array<[string, string | number]> = [
    ...fixed,
    ...own.map((n, i): [string, number] => [n, i]),
  ]
  const byEscaped = [...all].sort((a, b) => compare(escapeUri(a[0]), escapeUri(b[0])))
  const withSignature: Array<[string, string | number]> = [...all, ['X-Amz-Signature', 4]]
  return {
    canonical: parts(byEscaped),
    url: parts(withSignature.sort((a, b) => compare(a[0], b[0]))),
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The pairs of a layout joined with `&`, a link's own in their places. */
function fill(layout: Array<string | number>, own: string[]): string {
  let out = ''
  for (let i = 0; i < layout.length; i++) {
    const part = layout[i] as string | number
    out += (i === 0 ? '' : '&') + (typeof part === 'number' ? own[part] : part)
  }
  return out
}

/** Run the command through the client's stack up to signing, and keep the request it built. */
async function buildTemplate(
  client: S3Client,
  input: GetObjectCommandInput,
): Promise<Template | null> {
  let template: Template | null = null
  await stopAtSigner(client, new GetObjectCommand(input), 'before', (built, context) => {
    const request = built as Request
    for (const header of perAttemptHeaders) delete request.headers[header]
    const { signing_region: signingRegion, signing_service: signingService } = context
    if (!context.s3ExpressIdentity && signingRegion && signingService) {
      template = { request, signingRegion, signingService }
    }
  })
  return template
}

import { createHash } from 'node:crypto'
import { PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3'
import { Agent, type Dispatcher } from 'undici'
import {
  authorizationFor,
  type Credentials,
  createSigningKeys,
  escapeUri,
  longDateOf,
  type SigningKeys,
} from './sigv4.js'

/** Stores one small object; resolves once it is stored. */
export type PutText = (key: string, body: string) => Promise<void>

/** A PutText that can make its template ahead of the first PUT. */
export interface FastPut {
  put: PutText
  /**
   * Build (and check) the request template now, sending nothing, so that the first PUT
   * of a burst does not run the SDK's stack cold. Never rejects.
   */
  prepare(): Promise<void>
}

export interface FastPutOptions {
  /** Everything of the PutObject but the key and the body (bucket, content type, encryption). */
  input: Omit<PutObjectCommandInput, 'Key' | 'Body'>
  /** The same PUT through the SDK (its retries, its errors): used whenever the fast path is not. */
  sdkPut: PutText
  /** Tests: where the requests go (default: an undici Agent of our own). */
  dispatcher?: Dispatcher
  /** How long the fast attempt waits for an answer before the SDK tries (default 10 s). */
  timeoutMs?: number
}

/** What the SDK's stack built for a PutObject, and what changes per object. */
interface Template {
  origin: string
  /** The path up to the object key, escaped as the SDK escapes it. */
  pathBeforeKey: string
  query: Record<string, string>
  /** Headers that are the same for every object (host, content type, encryption). */
  fixed: Record<string, string>
  region: string
  service: string
}

/** Per attempt, per body or made by the signer: never part of the template. */
const varying = new Set([
  'authorization',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
  'content-length',
  'content-md5',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
  'x-amz-user-agent',
  'user-agent',
  'expect',
  'x-amz-sdk-checksum-algorithm',
])
const isChecksum = (name: string) => name.startsWith('x-amz-checksum-')

/** Key characters our path escaping is known to agree with the SDK's on. */
const plainKey = /^[A-Za-z0-9._~/-]+$/

/**
 * Small PUTs (audit objects) signed here and sent through undici, at a fraction of the
 * SDK's CPU (its middleware stack, signer and node:http client cost 2.2-3.3 ms a PUT on
 * this machine; README, "The Slack app under load"). The request is the one the client's
 * own middleware stack builds (endpoint, path or virtual-host style, region, encryption
 * headers), captured once; that first request is also signed by the SDK, and our
 * signature of it must equal the SDK's, or the SDK makes every PUT. Per object only the
 * key, date, payload hash and signature change; credentials come from the client's
 * provider each time (so they refresh as the SDK's do), a session token is signed in.
 * Any failure of a fast attempt (no answer, a connection error, any status but 2xx) hands
 * the object to the SDK's PutObject, which retries with backoff and whose error the
 * caller maps as before; an answer in the 4xx range also turns the fast path off.
 * Keys with characters outside [A-Za-z0-9._~/-], S3 Express buckets and checksum
 * headers the client insists on (other than the default CRC) also go through the SDK.
 */
export function createFastPut(client: S3Client, options: FastPutOptions): FastPut {
  const keys = createSigningKeys()
  const credentials = () => client.config.credentials() as Promise<Credentials>
  const timeoutMs = options.timeoutMs ?? 10_000
  let dispatcher = options.dispatcher
  let template: Promise<Template | null> | null = null
  const templateNow = () => {
    if (!template) {
      template = buildTemplate(client, options.input, keys, credentials).catch(() => null)
    }
    return template
  }

  const put: PutText = async (key, body) => {
    const t = plainKey.test(key) ? await templateNow() : null
    if (!t) return options.sdkPut(key, body)
    dispatcher ??= new Agent({
      connections: 16,
      keepAliveTimeout: 4000,
      keepAliveMaxTimeout: 4000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: { timeout: timeoutMs },
    })
    const d = dispatcher
    const outcome = await credentials()
      .then((creds) => putOnce(d, t, key, body, keys, creds))
      .catch(() => 'failed' as const)
    if (outcome === 'stored') return
    if (outcome === 'refused') template = Promise.resolve(null)
    return options.sdkPut(key, body)
  }
  return {
    put,
    prepare: async () => {
      await templateNow()
    },
  }
}

async function putOnce(
  dispatcher: Dispatcher,
  t: Template,
  key: string,
  body: string,
  keys: SigningKeys,
  creds: Credentials,
): Promise<'stored' | 'refused' | 'failed'> {
  const data = Buffer.from(body, 'utf8')
  const path = `${t.pathBeforeKey}${escapeKey(key)}`
  const headers: Record<string, string> = {
    ...t.fixed,
    'content-length': String(data.length),
    'x-amz-content-sha256': createHash('sha256').update(data).digest('hex'),
    'x-amz-date': longDateOf(new Date()),
  }
  if (creds.sessionToken) headers['x-amz-security-token'] = creds.sessionToken
  headers.authorization = authorizationFor({
    method: 'PUT',
    path,
    query: t.query,
    headers,
    payloadHash: headers['x-amz-content-sha256'] as string,
    creds,
    region: t.region,
    service: t.service,
    keys,
  })
  const search = new URLSearchParams(t.query).toString()
  const res = await dispatcher.request({
    origin: t.origin,
    path: search ? `${path}?${search}` : path,
    method: 'PUT',
    headers,
    body: data,
  })
  await res.body.dump()
  if (res.statusCode >= 200 && res.statusCode < 300) return 'stored'
  return res.statusCode >= 400 && res.statusCode < 500 ? 'refused' : 'failed'
}

/** An S3 key in a path, as the SDK writes it: each segment RFC 3986-escaped, slashes kept. */
function escapeKey(key: string): string {
  return key.split('/').map(escapeUri).join('/')
}

/** What the stack's endpoint and auth steps leave in the context (keys as the SDK spells them). */
interface SigningContext {
  signing_region?: string
  signing_service?: string
  s3ExpressIdentity?: unknown
}

interface SignedRequest {
  protocol: string
  hostname: string
  port?: number
  path: string
  query: Record<string, string | string[] | null>
  headers: Record<string, string>
}

type Middleware = Parameters<S3Client['middlewareStack']['addRelativeTo']>[0]

/**
 * Run one PutObject through the client's stack, stop it after the SDK has signed it, and
 * keep what every PUT shares, once our signature of that very request is the SDK's.
 */
async function buildTemplate(
  client: S3Client,
  input: FastPutOptions['input'],
  keys: SigningKeys,
  credentials: () => Promise<Credentials>,
): Promise<Template | null> {
  const probeKey = 'dumpling-probe.json'
  let signed: { request: SignedRequest; region?: string; service?: string } | null = null
  const capture =
    (_next: unknown, context: SigningContext) => async (args: { request: unknown }) => {
      if (!context.s3ExpressIdentity) {
        signed = {
          request: args.request as SignedRequest,
          region: context.signing_region,
          service: context.signing_service,
        }
      }
      return { response: {}, output: { $metadata: {} } }
    }
  const stack = client.middlewareStack.clone()
  stack.addRelativeTo(capture as unknown as Middleware, {
    name: 'dumplingCaptureSignedPut',
    relation: 'after',
    toMiddleware: 'awsAuthMiddleware',
    override: true,
  })
  const command = new PutObjectCommand({ ...input, Key: probeKey, Body: '{}\n' })
  await command.resolveMiddleware(stack, client.config, {})({ input: command.input })
  const got = signed as { request: SignedRequest; region?: string; service?: string } | null
  if (!got?.region || !got.service) return null
  const { request, region, service } = got
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value
  const query: Record<string, string> = {}
  for (const [name, value] of Object.entries(request.query)) {
    if (typeof value !== 'string') return null
    query[name] = value
  }
  const suffix = escapeKey(probeKey)
  if (!request.path.endsWith(suffix)) return null
  const authorization = headers.authorization
  const payloadHash = headers['x-amz-content-sha256']
  if (!authorization || !payloadHash) return null
  const { authorization: _, ...unsigned } = headers
  // Our signature of the SDK's own request, with the same credentials and date.
  const ours = authorizationFor({
    method: 'PUT',
    path: request.path,
    query,
    headers: unsigned,
    payloadHash,
    creds: await credentials(),
    region,
    service,
    keys,
  })
  if (ours !== authorization) return null
  const fixed: Record<string, string> = {}
  for (const [name, value] of Object.entries(unsigned)) {
    if (!varying.has(name) && !isChecksum(name)) fixed[name] = value
  }
  return {
    origin: `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`,
    pathBeforeKey: request.path.slice(0, request.path.length - suffix.length),
    query,
    fixed,
    region,
    service,
  }
}

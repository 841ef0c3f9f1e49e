import { PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3'
import { authorizationFor, type Credentials, escapeUri, type SigningKeys } from './sigv4.js'
import { stopAtSigner } from './stop-at-signer.js'

/** What the SDK's stack built for a PutObject, and what changes per object. */
export interface PutTemplate {
  origin: string
  /** The path up to the object key, escaped as the SDK escapes it. */
  pathBeforeKey: string
  query: Record<string, string>
  /** Headers that are the same for every object (host, content type, encryption). */
  fixed: Record<string, string>
  region: string
  service: string
  /** False when the client signs with raw system time (`disableClockSkewCorrection`). */
  skewCorrected: boolean
}

/** Per attempt, per body or made by the signer: never part of the template. */
const varying = new Set([
  'authorization',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
  'content-length',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
  'x-amz-user-agent',
  'user-agent',
  'expect',
])

/**
 * The checksum the SDK adds by default (requestChecksumCalculation WHEN_SUPPORTED): S3
 * does not require it for a PutObject, so the fast path leaves it out. Any other
 * checksum, or an MD5, is one the client insists on: such PUTs go through the SDK.
 */
const defaultChecksum = { header: 'x-amz-checksum-crc32', algorithm: 'CRC32' }

/** Input members that ask for a checksum of each body: the SDK computes those. */
const checksumInputs = [
  'ChecksumAlgorithm',
  'ChecksumCRC32',
  'ChecksumCRC32C',
  'ChecksumCRC64NVME',
  'ChecksumSHA1',
  'ChecksumSHA256',
  'ContentMD5',
] as const

/** True when the PutObject's input asks for a checksum or digest the fast path does not send. */
export function insistsOnChecksum(input: Omit<PutObjectCommandInput, 'Key' | 'Body'>): boolean {
  return checksumInputs.some((name) => (input as Record<string, unknown>)[name] !== undefined)
}

/** An S3 key in a path, as the SDK writes it: each segment RFC 3986-escaped, slashes kept. */
export function escapeKey(key: string): string {
  return key.split('/').map(escapeUri).join('/')
}

interface SignedRequest {
  protocol: string
  hostname: string
  port?: number
  path: string
  query: Record<string, string | string[] | null>
  headers: Record<string, string>
}

interface Captured {
  request: SignedRequest
  region?: string | undefined
  service?: string | undefined
  identity?: Credentials | undefined
}

const isCredentials = (value: unknown): value is Credentials =>
  typeof (value as Credentials | undefined)?.accessKeyId === 'string' &&
  typeof (value as Credentials).secretAccessKey === 'string'

/**
 * Run one PutObject through the client's stack, stop it after the SDK has signed it, and
 * keep what every PUT shares, once our signature of that very request is the SDK's: with
 * the identity the SDK signed with when the context tells it, else with the client's
 * current credentials. Null when it cannot be (rejects when the stack does, e.g. no
 * credentials yet); the caller may build again later.
 */
export async function buildPutTemplate(
  client: S3Client,
  input: Omit<PutObjectCommandInput, 'Key' | 'Body'>,
  keys: SigningKeys,
): Promise<PutTemplate | null> {
  if (insistsOnChecksum(input)) return null
  const probeKey = 'dumpling-probe.json'
  let signed: Captured | null = null
  const command = new PutObjectCommand({ ...input, Key: probeKey, Body: '{}\n' })
  await stopAtSigner(client, command, 'after', (request, context) => {
    if (!context.s3ExpressIdentity) {
      const identity = context.__smithy_context?.selectedHttpAuthScheme?.identity
      signed = {
        request: request as SignedRequest,
        region: context.signing_region,
        service: context.signing_service,
        identity: isCredentials(identity) ? identity : undefined,
      }
    }
  })
  const got = signed as Captured | null
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
  const fixed: Record<string, string> = {}
  for (const [name, value] of Object.entries(unsigned)) {
    if (name.startsWith('x-amz-checksum-') || name === 'x-amz-sdk-checksum-algorithm') {
      const allowed =
        name === defaultChecksum.header ||
        (name === 'x-amz-sdk-checksum-algorithm' && value === defaultChecksum.algorithm)
      if (!allowed) return null
    } else if (name === 'content-md5') {
      return null
    } else if (!varying.has(name)) {
      fixed[name] = value
    }
  }
  // Our signature of the SDK's own request, with the same date and the same identity.
  const candidates = got.identity ? [got.identity] : []
  candidates.push((await client.config.credentials()) as Credentials)
  const matches = candidates.some(
    (creds) =>
      authorizationFor({
        method: 'PUT',
        path: request.path,
        query,
        headers: unsigned,
        payloadHash,
        creds,
        region,
        service,
        keys,
      }) === authorization,
  )
  if (!matches) return null
  const config = client.config as { disableClockSkewCorrection?: () => Promise<boolean> }
  return {
    origin: `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}`,
    pathBeforeKey: request.path.slice(0, request.path.length - suffix.length),
    query,
    fixed,
    region,
    service,
    skewCorrected: (await config.disableClockSkewCorrection?.()) !== true,
  }
}

import { createHash } from 'node:crypto'
import type { PutObjectCommandInput, S3Client } from '@aws-sdk/client-s3'
import { Agent, type Dispatcher } from 'undici'
import type { Logger } from '../logger.js'
import { s3ErrorCode, turnsFastPathOff } from './s3-error-code.js'
import { buildPutTemplate, escapeKey, type PutTemplate } from './s3-put-template.js'
import {
  authorizationFor,
  type Credentials,
  createSigningKeys,
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
  /** All of one fast attempt (connect, headers, body) before the SDK tries instead (default 10 s). */
  timeoutMs?: number
  /** Told at warn when the fast path turns off or rests, with S3's error code or a status only. */
  log?: Pick<Logger, 'warn'> | undefined
  /** The client's signing-key cache (s3-storage.ts shares one with the presigner). */
  keys?: SigningKeys
  /** Failed fast attempts in a row after which the SDK makes every PUT for `pauseMs` (default 3). */
  failuresBeforePause?: number
  /** How long such a pause lasts, and the least time between two builds of the template (default 60 s). */
  pauseMs?: number
}

/** Key characters our path escaping is known to agree with the SDK's on. */
const plainKey = /^[A-Za-z0-9._~/-]+$/

/** What one fast attempt came to. `code` is S3's error code (or the HTTP status); `reason` a safe word. */
type Outcome =
  | { kind: 'stored' }
  | { kind: 'refused'; code: string }
  | { kind: 'failed'; reason: string }

/**
 * Small PUTs (audit objects) signed here and sent through undici, at a fraction of the
 * SDK's CPU (its middleware stack, signer and node:http client cost 2.2-3.3 ms a PUT on
 * this machine; README, "The Slack app under load"). The request is the one the client's
 * own middleware stack builds (endpoint, path or virtual-host style, region, encryption
 * headers), captured once (s3-put-template.ts); that first request is also signed by the
 * SDK, and our signature of it must equal the SDK's, or the SDK makes the PUTs (and the
 * template is built again a minute later: credentials may not have been there yet). Per
 * object only the key, date, payload hash and signature change; the date is the SDK's
 * clock-skew-corrected one (`systemClockOffset`, which the SDK learns from S3's answers),
 * and credentials come from the client's provider each time, a session token signed in.
 *
 * Any failure of a fast attempt (no full answer within `timeoutMs` all told, a connection
 * error, any status but 2xx) hands that object to the SDK's PutObject, which retries with
 * backoff and whose error the caller maps as before. Only an S3 error code that says our
 * request's form is refused (s3-error-code.ts) turns the fast path off for good, logged
 * once at warn with that code. Other failures are one-offs, but after
 * `failuresBeforePause` in a row the SDK makes every PUT for `pauseMs`, so that a hanging
 * S3 does not add the fast attempt's timeout to every audit write.
 * Keys with characters outside [A-Za-z0-9._~/-], S3 Express buckets, and inputs or
 * clients that ask for a checksum other than the SDK's default CRC32 (which S3 does not
 * require, and the fast path leaves out) go through the SDK.
 */
export function createFastPut(client: S3Client, options: FastPutOptions): FastPut {
  const keys = options.keys ?? createSigningKeys()
  const credentials = () => client.config.credentials() as Promise<Credentials>
  const timeoutMs = options.timeoutMs ?? 10_000
  const failuresBeforePause = options.failuresBeforePause ?? 3
  const pauseMs = options.pauseMs ?? 60_000
  let dispatcher = options.dispatcher
  let off = false
  let failuresInARow = 0
  let pausedUntil = 0
  let template: PutTemplate | null = null
  let building: Promise<PutTemplate | null> | null = null
  let lastBuildAt = Number.NEGATIVE_INFINITY

  /** The template, building it when there is none and the last try is a pause old. */
  const templateNow = async (): Promise<PutTemplate | null> => {
    if (template || building) return template ?? building
    if (performance.now() - lastBuildAt < pauseMs) return null
    lastBuildAt = performance.now()
    building = buildPutTemplate(client, options.input, keys)
      .catch(() => null)
      .then((t) => {
        template = t
        building = null
        return t
      })
    return building
  }

  /** The SigV4 date: the SDK's own, skew-corrected unless the client turned that off. */
  const signingDate = (t: PutTemplate) =>
    new Date(Date.now() + (t.skewCorrected ? (client.config.systemClockOffset ?? 0) : 0))

  const put: PutText = async (key, body) => {
    if (off || !plainKey.test(key) || performance.now() < pausedUntil) {
      return options.sdkPut(key, body)
    }
    const t = await templateNow()
    if (!t || off) return options.sdkPut(key, body)
    dispatcher ??= new Agent({
      connections: 16,
      keepAliveTimeout: 4000,
      keepAliveMaxTimeout: 4000,
      // Backstops that free the socket; the attempt's own deadline is `timeoutMs` all told.
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: { timeout: timeoutMs },
    })
    const d = dispatcher
    const outcome = await withDeadline(timeoutMs, async (signal) =>
      putOnce(d, t, key, body, keys, await credentials(), signingDate(t), signal),
    )
    if (outcome.kind === 'stored') {
      failuresInARow = 0
      return
    }
    if (outcome.kind === 'refused') {
      if (!off) {
        off = true
        options.log?.warn(
          { s3Code: outcome.code },
          'S3 refused a fast audit PUT: the AWS SDK makes every PUT from now on',
        )
      }
    } else if (++failuresInARow >= failuresBeforePause) {
      pausedUntil = performance.now() + pauseMs
      if (failuresInARow === failuresBeforePause) {
        options.log?.warn(
          { failures: failuresInARow, last: outcome.reason, pauseSeconds: pauseMs / 1000 },
          'fast audit PUTs failed in a row: the AWS SDK makes every PUT for a while',
        )
      }
    }
    return options.sdkPut(key, body)
  }
  return {
    put,
    prepare: async () => {
      await templateNow()
    },
  }
}

/**
 * Run `attempt` with an AbortSignal, and give up on it after `ms` all told: undici's own
 * connect, headers and body timeouts each run on their own clock, and a pending connect
 * does not heed the signal. Never rejects; the word for a failure names its kind only.
 */
async function withDeadline(
  ms: number,
  attempt: (signal: AbortSignal) => Promise<Outcome>,
): Promise<Outcome> {
  const abort = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => {
      abort.abort(new Error('fast PUT deadline'))
      resolve({ kind: 'failed', reason: 'timeout' })
    }, ms)
  })
  const work = attempt(abort.signal).catch(
    (err: unknown): Outcome => ({ kind: 'failed', reason: errorWord(err) }),
  )
  try {
    return await Promise.race([work, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** An error's code when it is a plain word (ECONNREFUSED, UND_ERR_SOCKET), never its message. */
function errorWord(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,40}$/.test(code) ? code : 'error'
}

async function putOnce(
  dispatcher: Dispatcher,
  t: PutTemplate,
  key: string,
  body: string,
  keys: SigningKeys,
  creds: Credentials,
  date: Date,
  signal: AbortSignal,
): Promise<Outcome> {
  const data = Buffer.from(body, 'utf8')
  const path = `${t.pathBeforeKey}${escapeKey(key)}`
  const headers: Record<string, string> = {
    ...t.fixed,
    'content-length': String(data.length),
    'x-amz-content-sha256': createHash('sha256').update(data).digest('hex'),
    'x-amz-date': longDateOf(date),
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
    signal,
  })
  if (res.statusCode >= 200 && res.statusCode < 300) {
    await res.body.dump()
    return { kind: 'stored' }
  }
  const code = await s3ErrorCode(res.body)
  if (code && turnsFastPathOff(code)) return { kind: 'refused', code }
  return { kind: 'failed', reason: code ?? String(res.statusCode) }
}

import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { GetObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import type { Dispatcher } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFastPut, type FastPutOptions } from '../../src/storage/s3-fast-put.js'
import { capturedLogger } from '../helpers/captured-logger.js'
import { s3rverCredentials, startS3Server, type TestS3Server } from '../helpers/s3-server.js'

let s3: TestS3Server
beforeAll(async () => {
  s3 = await startS3Server(['dumps'])
})
afterAll(() => s3?.stop())

interface Sent {
  origin: string
  path: string
  headers: Record<string, string>
  body: Buffer
}

/** An answer of the stand-in: a status, and S3's error code for an error document. */
type Answer = number | { status: number; code: string }

/**
 * AWS's S3 cannot run here: this stands in for it, keeping each request and answering
 * `answer()` (the SDK's own signer then checks what was sent).
 */
function standIn(answer: () => Answer): { dispatcher: Dispatcher; sent: Sent[] } {
  const sent: Sent[] = []
  const dispatcher = {
    async request(o: Sent) {
      sent.push(o)
      const a = answer()
      const { status, code } = typeof a === 'number' ? { status: a, code: null } : a
      const text = code
        ? `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>m</Message><RequestId>r</RequestId></Error>`
        : ''
      return {
        statusCode: status,
        body: {
          dump: async () => {},
          async *[Symbol.asyncIterator]() {
            if (text) yield Buffer.from(text)
          },
        },
      }
    },
  } as unknown as Dispatcher
  return { dispatcher, sent }
}

function fastPut(client: S3Client, extra: Partial<FastPutOptions> = {}) {
  const viaSdk: string[] = []
  const { put } = createFastPut(client, {
    input: { Bucket: 'dumps', ContentType: 'application/json' },
    sdkPut: async (key) => {
      viaSdk.push(key)
    },
    ...extra,
  })
  return { put, viaSdk }
}

/** The authorization header the SDK's own signer gives the request as it was sent. */
async function sdkAuthorization(client: S3Client, region: string, sent: Sent): Promise<string> {
  const url = new URL(`${sent.origin}${sent.path}`)
  const { authorization: _, ...headers } = sent.headers
  const d = headers['x-amz-date'] ?? ''
  const signingDate = new Date(
    `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`,
  )
  // The client's own signer class (SignatureV4MultiRegion), as the SDK builds it per request.
  const Signer = (
    client.config as unknown as {
      signerConstructor: new (
        o: object,
      ) => { sign(r: object, o: object): Promise<{ headers: Record<string, string> }> }
    }
  ).signerConstructor
  const signer = new Signer({
    credentials: client.config.credentials,
    region,
    service: 's3',
    sha256: client.config.sha256,
    uriEscapePath: false,
  })
  const signed = await signer.sign(
    {
      method: 'PUT',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: sent.body,
    },
    { signingDate },
  )
  return signed.headers.authorization ?? 'none'
}

describe('createFastPut', () => {
  it('stores objects in s3rver with its own signed PUTs, not through the SDK', async () => {
    const { put, viaSdk } = fastPut(s3.client())
    const body = `${JSON.stringify({ id: 'a', text: 'é ü' })}\n`
    await put('fast/audit/one.jsonl', body)
    await put('fast/audit/two.jsonl', 'second\n')
    expect(viaSdk).toEqual([])
    const res = await s3
      .client()
      .send(new GetObjectCommand({ Bucket: 'dumps', Key: 'fast/audit/one.jsonl' }))
    expect(await res.Body?.transformToString('utf8')).toBe(body)
    expect(res.ContentType).toBe('application/json')
  })

  const awsConfigs: Array<[string, S3ClientConfig]> = [
    ['AWS, virtual-host style', { region: 'eu-west-1' }],
    [
      'AWS with a session token',
      {
        region: 'eu-central-1',
        credentials: { accessKeyId: 'ASIAX', secretAccessKey: 's/k+e', sessionToken: 'tok/en+=' },
      },
    ],
    [
      'a custom endpoint, path style',
      { endpoint: 'https://minio.test:9000', forcePathStyle: true },
    ],
  ]
  it.each(awsConfigs)('signs each PUT as the SDK would (%s)', async (_name, config) => {
    const client = new S3Client({
      credentials: { accessKeyId: 'AKIAX', secretAccessKey: 'secret' },
      region: 'us-east-1',
      ...config,
    })
    const { dispatcher, sent } = standIn(() => 200)
    const { put, viaSdk } = fastPut(client, {
      dispatcher,
      input: {
        Bucket: 'dumps',
        ContentType: 'application/json',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: 'key-1',
      },
    })
    await put('team/prefix/audit/20261128T010000Z-0a1b2c3d.jsonl', '{"a":1}\n')
    await put('audit/x.jsonl', 'x\n')
    expect(viaSdk).toEqual([])
    expect(sent).toHaveLength(2)
    for (const request of sent) {
      expect(request.headers['x-amz-server-side-encryption']).toBe('aws:kms')
      expect(request.headers.authorization).toBe(
        await sdkAuthorization(client, String(config.region ?? 'us-east-1'), request),
      )
    }
    expect(sent[0]?.path).toContain(
      '/team/prefix/audit/20261128T010000Z-0a1b2c3d.jsonl?x-id=PutObject',
    )
  })

  it('prepares its template without sending anything', async () => {
    const { dispatcher, sent } = standIn(() => 200)
    const fast = createFastPut(s3.client(), {
      input: { Bucket: 'dumps' },
      sdkPut: async () => {
        throw new Error('not through the SDK')
      },
      dispatcher,
    })
    await fast.prepare()
    expect(sent).toHaveLength(0)
    await fast.put('p/1.json', '1')
    expect(sent).toHaveLength(1)
  })

  it('hands a PUT the stand-in failed to the SDK, and keeps the fast path after a 5xx', async () => {
    const statuses = [503, 200]
    const { dispatcher, sent } = standIn(() => statuses.shift() ?? 200)
    const { put, viaSdk } = fastPut(s3.client(), { dispatcher })
    await put('a/1.json', '1')
    await put('a/2.json', '2')
    expect(viaSdk).toEqual(['a/1.json'])
    expect(sent).toHaveLength(2)
  })

  it('turns the fast path off when S3 refuses its request form, and says so once with the code only', async () => {
    const { dispatcher, sent } = standIn(() => ({ status: 403, code: 'SignatureDoesNotMatch' }))
    const { log, lines } = capturedLogger()
    const { put, viaSdk } = fastPut(s3.client(), { dispatcher, log })
    await put('b/1.json', '1')
    await put('b/2.json', '2')
    expect(viaSdk).toEqual(['b/1.json', 'b/2.json'])
    expect(sent).toHaveLength(1)
    const warned = lines.filter((l) => l.level === 40)
    expect(warned).toHaveLength(1)
    expect(warned[0]?.s3Code).toBe('SignatureDoesNotMatch')
    const text = JSON.stringify(lines)
    for (const secret of ['S3RVER', 'Signature=', 'AWS4-HMAC', 'http://', '/dumps/', 'b/1.json']) {
      expect(text).not.toContain(secret)
    }
  })

  it('keeps the fast path after one-off refusals (skew, timeout, expired token, 409, 429, SlowDown)', async () => {
    const answers: Answer[] = [
      { status: 403, code: 'RequestTimeTooSkewed' },
      { status: 400, code: 'RequestTimeout' },
      { status: 400, code: 'ExpiredToken' },
      409,
      429,
      { status: 503, code: 'SlowDown' },
      200,
    ]
    const { dispatcher, sent } = standIn(() => answers.shift() ?? 200)
    const { log, lines } = capturedLogger()
    const { put, viaSdk } = fastPut(s3.client(), { dispatcher, log, failuresBeforePause: 10 })
    for (let i = 1; i <= 8; i++) await put(`o/${i}.json`, `${i}`)
    expect(viaSdk).toEqual(['o/1.json', 'o/2.json', 'o/3.json', 'o/4.json', 'o/5.json', 'o/6.json'])
    expect(sent).toHaveLength(8)
    expect(lines.filter((l) => l.level === 40)).toEqual([])
  })

  it('pauses after failures in a row (the SDK makes every PUT), and tries again after the pause', async () => {
    const { dispatcher, sent } = standIn(() => 500)
    const { log, lines } = capturedLogger()
    const { put, viaSdk } = fastPut(s3.client(), {
      dispatcher,
      log,
      failuresBeforePause: 3,
      pauseMs: 300,
    })
    for (let i = 1; i <= 5; i++) await put(`p/${i}.json`, `${i}`)
    expect(sent).toHaveLength(3)
    expect(viaSdk).toHaveLength(5)
    await new Promise((resolve) => setTimeout(resolve, 350))
    await put('p/6.json', '6')
    await put('p/7.json', '7')
    // One try after the pause; it failed too, so the next pause began at once.
    expect(sent).toHaveLength(4)
    expect(viaSdk).toHaveLength(7)
    const warned = lines.filter((l) => l.level === 40)
    expect(warned).toHaveLength(1)
    expect(warned[0]).toMatchObject({ failures: 3, last: '500', pauseSeconds: 0.3 })
  })

  it('gives a fast attempt its time limit all told, not per phase (headers, then a slow body)', async () => {
    // Headers at once, then a byte every 100 ms for 2 s: each wait is well under the
    // limit, the whole answer well over it.
    const server = createServer((req, res) => {
      req.resume()
      res.writeHead(200, { 'content-type': 'text/plain' })
      let n = 0
      const drip = setInterval(() => {
        if (res.destroyed || ++n > 20) {
          clearInterval(drip)
          res.end()
          return
        }
        res.write('.')
      }, 100)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      const client = new S3Client({
        endpoint: `http://127.0.0.1:${port}`,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: s3rverCredentials,
      })
      const { put, viaSdk } = fastPut(client, { timeoutMs: 500 })
      const started = performance.now()
      await put('slow/1.json', '1')
      expect(performance.now() - started).toBeLessThan(1500)
      expect(viaSdk).toEqual(['slow/1.json'])
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })

  it("signs with the SDK's clock-skew-corrected time", async () => {
    const client = new S3Client({
      credentials: { accessKeyId: 'AKIAX', secretAccessKey: 'secret' },
      region: 'eu-west-1',
      systemClockOffset: 3_600_000,
    })
    const { dispatcher, sent } = standIn(() => 200)
    const { put } = fastPut(client, { dispatcher })
    await put('skew/1.json', '1')
    // As the SDK learns a new offset from S3's answers.
    client.config.systemClockOffset = -7_200_000
    await put('skew/2.json', '2')
    const dateOf = (r: Sent | undefined) => {
      const d = r?.headers['x-amz-date'] ?? ''
      return Date.parse(
        `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${d.slice(9, 11)}:${d.slice(11, 13)}:${d.slice(13, 15)}Z`,
      )
    }
    expect(Math.abs(dateOf(sent[0]) - (Date.now() + 3_600_000))).toBeLessThan(60_000)
    expect(Math.abs(dateOf(sent[1]) - (Date.now() - 7_200_000))).toBeLessThan(60_000)
    for (const request of sent) {
      expect(request.headers.authorization).toBe(
        await sdkAuthorization(client, 'eu-west-1', request),
      )
    }
  })

  it('builds its template again later when credentials were not there yet', async () => {
    let ready = false
    const client = new S3Client({
      endpoint: s3.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: async () => {
        if (!ready) throw new Error('no credentials yet')
        return { ...s3rverCredentials, expiration: new Date() }
      },
    })
    const { dispatcher, sent } = standIn(() => 200)
    const fast = createFastPut(client, {
      input: { Bucket: 'dumps' },
      sdkPut: async () => {},
      dispatcher,
      pauseMs: 200,
    })
    await fast.prepare()
    ready = true
    await fast.put('late/1.json', '1')
    expect(sent).toHaveLength(0)
    await new Promise((resolve) => setTimeout(resolve, 250))
    await fast.put('late/2.json', '2')
    expect(sent).toHaveLength(1)
  })

  it('checks its template against the identity the SDK signed with, when credentials rotate meanwhile', async () => {
    // Expiring now: the SDK asks the provider again on each use. The calls the SDK's
    // own stack makes get the first key; the next call (the check's) and every later
    // one the second, as when credentials refresh between the SDK's signature and ours.
    const rotatingClient = (sdkCalls: number) => {
      const state = { calls: 0 }
      const client = new S3Client({
        region: 'eu-west-1',
        credentials: async () => {
          state.calls++
          const first = state.calls <= sdkCalls
          return {
            accessKeyId: first ? 'AKIDFIRST' : 'AKIDSECOND',
            secretAccessKey: first ? 'first' : 'second',
            expiration: new Date(),
          }
        },
      })
      return { client, state }
    }
    // How many calls one template build makes (the SDK's, then one of ours).
    const counting = rotatingClient(Number.POSITIVE_INFINITY)
    await createFastPut(counting.client, {
      input: { Bucket: 'dumps' },
      sdkPut: async () => {},
    }).prepare()
    const { client } = rotatingClient(counting.state.calls - 1)
    const { dispatcher, sent } = standIn(() => 200)
    const { put, viaSdk } = fastPut(client, { dispatcher })
    await put('rot/1.json', '1')
    expect(viaSdk).toEqual([])
    expect(sent[0]?.headers.authorization).toContain('AKIDSECOND')
  })

  it('leaves PUTs that ask for their own checksum to the SDK', async () => {
    const client = new S3Client({
      credentials: { accessKeyId: 'AKIAX', secretAccessKey: 'secret' },
      region: 'eu-west-1',
    })
    const { dispatcher, sent } = standIn(() => 200)
    const asked = [{ ChecksumAlgorithm: 'SHA256' as const }, { ChecksumCRC32C: 'AAAAAA==' }]
    for (const extra of asked) {
      const { put, viaSdk } = fastPut(client, {
        dispatcher,
        input: { Bucket: 'dumps', ContentType: 'application/json', ...extra },
      })
      await put('sum/1.json', '1')
      expect(viaSdk).toEqual(['sum/1.json'])
    }
    expect(sent).toHaveLength(0)
  })

  it('hands a PUT to the SDK when the connection fails, and keys it does not escape like the SDK', async () => {
    const client = new S3Client({
      endpoint: 'http://127.0.0.1:9',
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: s3rverCredentials,
    })
    const { put, viaSdk } = fastPut(client, { timeoutMs: 2000 })
    await put('c/refused.json', '1')
    const other = fastPut(s3.client())
    await other.put('c/with space.json', '1')
    expect(viaSdk).toEqual(['c/refused.json'])
    expect(other.viaSdk).toEqual(['c/with space.json'])
  })
})

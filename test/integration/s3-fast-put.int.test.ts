import { GetObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3'
import type { Dispatcher } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFastPut, type FastPutOptions } from '../../src/storage/s3-fast-put.js'
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

/**
 * AWS's S3 cannot run here: this stands in for it, keeping each request and answering
 * `status` (the SDK's own signer then checks what was sent).
 */
function standIn(status: () => number): { dispatcher: Dispatcher; sent: Sent[] } {
  const sent: Sent[] = []
  const dispatcher = {
    async request(o: Sent) {
      sent.push(o)
      return { statusCode: status(), body: { dump: async () => {} } }
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

  it('turns the fast path off after a refusal (4xx): the SDK makes every later PUT', async () => {
    const { dispatcher, sent } = standIn(() => 403)
    const { put, viaSdk } = fastPut(s3.client(), { dispatcher })
    await put('b/1.json', '1')
    await put('b/2.json', '2')
    expect(viaSdk).toEqual(['b/1.json', 'b/2.json'])
    expect(sent).toHaveLength(1)
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

import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { getSignedUrl, S3RequestPresigner } from '@aws-sdk/s3-request-presigner'
import { describe, expect, it, vi } from 'vitest'
import { createS3Presigner } from './s3-presigner.js'

// Signing needs no network: the client only ever signs here.
const client = (options: { endpoint?: string; sessionToken?: string } = {}) =>
  new S3Client({
    region: 'eu-west-1',
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    credentials: {
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
    },
  })

const input = (id: string) => ({
  Bucket: 'acme-dumps',
  Key: `dumpling/snapshots/${id}/dump.sql.gz`,
  ResponseContentDisposition: `attachment; filename="app-${id}.sql.gz"`,
  ResponseContentType: 'application/gzip',
})

describe('createS3Presigner', () => {
  it.each([
    ['AWS', {}],
    ['an S3-compatible endpoint', { endpoint: 'http://127.0.0.1:9000' }],
    ['session credentials', { sessionToken: 'FwoGZXIvYXdzEXAMPLE' }],
  ])('signs the same URL as getSignedUrl (%s)', async (_what, options) => {
    const s3 = client(options)
    const presign = createS3Presigner(s3)
    for (const [i, id] of ['20261127T030000Z-3f9a', '20261128T030000Z-0b1c'].entries()) {
      const signingDate = new Date(Date.UTC(2026, 10, 27, 12, 0, i))
      const expected = await getSignedUrl(s3, new GetObjectCommand(input(id)), {
        expiresIn: 180,
        signingDate,
      })
      // Twice: the second comes from the remembered request.
      expect(await presign(input(id), { expiresIn: 180, signingDate })).toBe(expected)
      expect(await presign(input(id), { expiresIn: 180, signingDate })).toBe(expected)
    }
  })

  it('signs each link for its own time and lifetime', async () => {
    const presign = createS3Presigner(client())
    const at = (s: number) => new Date(Date.UTC(2026, 10, 27, 12, 0, s))
    const a = new URL(
      await presign(input('20261127T030000Z-3f9a'), { expiresIn: 180, signingDate: at(0) }),
    )
    const b = new URL(
      await presign(input('20261127T030000Z-3f9a'), { expiresIn: 60, signingDate: at(1) }),
    )
    expect(a.searchParams.get('X-Amz-Date')).toBe('20261127T120000Z')
    expect(b.searchParams.get('X-Amz-Date')).toBe('20261127T120001Z')
    expect(a.searchParams.get('X-Amz-Expires')).toBe('180')
    expect(b.searchParams.get('X-Amz-Expires')).toBe('60')
    expect(a.searchParams.get('X-Amz-Signature')).not.toBe(b.searchParams.get('X-Amz-Signature'))
  })

  it('signs with the credentials of the moment when they rotate', async () => {
    // Expiring now: the SDK asks the provider again on each use.
    const expiration = new Date()
    let current = { accessKeyId: 'AKIDFIRST', secretAccessKey: 'first-secret', expiration }
    const rotating = new S3Client({ region: 'eu-west-1', credentials: async () => current })
    const presign = createS3Presigner(rotating)
    const signingDate = new Date(Date.UTC(2026, 10, 27, 12, 0, 0))
    const id = '20261127T030000Z-3f9a'
    const expected = () =>
      getSignedUrl(rotating, new GetObjectCommand(input(id)), { expiresIn: 180, signingDate })
    expect(await presign(input(id), { expiresIn: 180, signingDate })).toBe(await expected())
    current = { accessKeyId: 'AKIDSECOND', secretAccessKey: 'second-secret', expiration }
    const second = await presign(input(id), { expiresIn: 180, signingDate })
    expect(second).toContain('AKIDSECOND')
    expect(second).toBe(await expected())
    // A session token appears, then goes again: its pair takes and leaves its place.
    const withToken = { ...current, accessKeyId: 'AKIDTHIRD', sessionToken: 'Fwo/GZX+token=' }
    current = withToken
    const third = await presign(input(id), { expiresIn: 180, signingDate })
    expect(third).toContain('X-Amz-Security-Token=Fwo%2FGZX%2Btoken%3D')
    expect(third).toBe(await expected())
    current = { accessKeyId: 'AKIDFOURTH', secretAccessKey: 'fourth-secret', expiration }
    expect(await presign(input(id), { expiresIn: 180, signingDate })).toBe(await expected())
  })

  it.each([
    ['AWS', {}],
    ['an S3-compatible endpoint', { endpoint: 'http://127.0.0.1:9000' }],
    ['session credentials', { sessionToken: 'FwoGZXIvYXdzEXAMPLE' }],
  ])("signs links without the SDK's signer after the first (%s)", async (_what, options) => {
    const sdk = vi.spyOn(S3RequestPresigner.prototype, 'presign')
    try {
      const presign = createS3Presigner(client(options))
      const id = '20261127T030000Z-3f9a'
      for (let s = 0; s < 5; s++) {
        await presign(input(id), {
          expiresIn: 180,
          signingDate: new Date(Date.UTC(2026, 10, 27, 12, 0, s)),
        })
      }
      // One presign by the SDK per object: the check of ours.
      expect(sdk).toHaveBeenCalledTimes(1)
    } finally {
      sdk.mockRestore()
    }
  })
})

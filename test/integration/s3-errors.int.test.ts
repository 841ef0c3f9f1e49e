import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { exitCodes } from '../../src/errors.js'
import { createS3Storage } from '../../src/storage/s3-storage.js'

/**
 * Errors only AWS itself can produce (a bucket in another region, a policy that
 * denies us): the SDK's real HTTP calls, answered by nock as S3 answers them.
 */
const bucket = 'acme-dumps'
const host = `https://${bucket}.s3.eu-west-1.amazonaws.com`
const storage = () =>
  createS3Storage({
    bucket,
    prefix: 'dumpling/',
    region: 'eu-west-1',
    client: {
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: 1,
    },
  })

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())
afterAll(() => nock.enableNetConnect())

const xmlError = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>1</RequestId></Error>`

describe('S3 errors from AWS', () => {
  it('names the bucket region when the bucket lives elsewhere (exit 13)', async () => {
    nock(host)
      .get('/')
      .query(true)
      .reply(301, xmlError('PermanentRedirect', 'The bucket is in this region: us-east-2.'), {
        'content-type': 'application/xml',
        'x-amz-bucket-region': 'us-east-2',
      })
    const err = await storage()
      .check()
      .catch((e) => e)
    expect(err).toMatchObject({ code: 'storage_wrong_region' })
    expect(err.message).toMatch(
      /acme-dumps is in us-east-2, not eu-west-1: set storage.region: us-east-2/,
    )
    expect(exitCodes[err.code as 'storage_wrong_region']).toBe(13)
  })

  it('says which permissions are missing when access is denied (exit 12)', async () => {
    nock(host)
      .get('/')
      .query(true)
      .reply(403, xmlError('AccessDenied', 'Access Denied'), { 'content-type': 'application/xml' })
    const err = await storage()
      .list()
      .catch((e) => e)
    expect(err).toMatchObject({ code: 'storage_access_denied' })
    expect(err.message).toMatch(/s3:\/\/acme-dumps\/dumpling\/.*s3:ListBucket/)
    expect(exitCodes[err.code as 'storage_access_denied']).toBe(12)
  })

  it('checks the bucket by listing under the prefix, so a prefix-only policy passes', async () => {
    const listed = nock(host)
      .get('/')
      .query({ 'list-type': '2', prefix: 'dumpling/snapshots/' })
      .reply(
        200,
        '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult><Name>acme-dumps</Name><Prefix>dumpling/snapshots/</Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>',
        { 'content-type': 'application/xml' },
      )
    await storage().check()
    expect(listed.isDone()).toBe(true)
  })

  it('maps a denied check, as a prefix-only policy answers a listing outside it, to access denied', async () => {
    nock(host)
      .get('/')
      .query(true)
      .reply(403, xmlError('AccessDenied', 'Access Denied'), { 'content-type': 'application/xml' })
    await expect(storage().check()).rejects.toMatchObject({ code: 'storage_access_denied' })
  })
})

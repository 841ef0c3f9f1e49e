import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startS3Server, type TestS3Server } from '../helpers/s3-server.js'
import {
  expectDownload,
  expectReadBackBeforeCommit,
  idAt,
  manifestFor,
  putSnapshot,
  readAll,
} from '../helpers/stored-snapshots.js'

let s3: TestS3Server
let n = 0
/** Each test gets its own prefix in the one bucket. */
const fresh = (options: Parameters<TestS3Server['storage']>[0] = {}) =>
  s3.storage({ prefix: `t${n++}/`, partSize: 5 * 1024 * 1024, ...options })

beforeAll(async () => {
  s3 = await startS3Server(['dumps'])
})
afterAll(() => s3?.stop())

describe('S3 storage', () => {
  it('streams a dump larger than one part as a multipart upload, and reads back the same bytes', async () => {
    const storage = fresh()
    const dump = randomBytes(11 * 1024 * 1024 + 123)
    const manifest = await putSnapshot(storage, idAt('2026-11-27T03:00:00Z'), dump)
    const back = await readAll(await storage.openDump(manifest.id))
    expect(back.length).toBe(dump.length)
    expect(createHash('sha256').update(back).digest('hex')).toBe(manifest.dump.sha256)
  })

  it('reads back an unpublished dump, which stays invisible until commit', async () => {
    await expectReadBackBeforeCommit(fresh(), 6 * 1024 * 1024)
  })

  it('lists complete snapshots newest first; list and latest ignore an incomplete one', async () => {
    const storage = fresh()
    const old = await putSnapshot(storage, idAt('2026-11-25T03:00:00Z'))
    const newer = await putSnapshot(storage, idAt('2026-11-26T03:00:00Z'))
    const partial = idAt('2026-11-27T03:00:00Z')
    await putSnapshot(storage, partial, undefined, { complete: false })
    expect((await storage.list()).map((m) => m.id)).toEqual([newer.id, old.id])
    expect((await storage.latest())?.id).toBe(newer.id)
    await expect(storage.getManifest(partial)).rejects.toMatchObject({ code: 'snapshot_unknown' })
    expect(await fresh().latest()).toBeNull()
  })

  it('gives a presigned link that downloads the exact bytes under the snapshot name', async () => {
    const storage = fresh()
    const manifest = await putSnapshot(storage, idAt('2026-11-27T03:00:00Z'), randomBytes(70_000))
    const { url, expiresAt } = await storage.createLink(manifest.id, 180)
    expect(expiresAt.getTime() - Date.now()).toBeGreaterThan(170_000)
    expect(expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(180_000)
    await expectDownload(url, manifest)
  })

  it('gives 403 to a link signed more than 180 s ago', async () => {
    const storage = fresh()
    const manifest = await putSnapshot(storage, idAt('2026-11-27T03:00:00Z'))
    const past = fresh({
      prefix: storage.describe().replace('s3://dumps/', ''),
      now: () => new Date(Date.now() - 181_000),
    })
    const { url } = await past.createLink(manifest.id, 180)
    const res = await fetch(url)
    expect(res.status).toBe(403)
  })

  it('leaves no visible snapshot when an upload fails mid-way', async () => {
    const storage = fresh()
    const id = idAt('2026-11-27T03:00:00Z')
    const upload = await storage.beginSnapshot(id)
    upload.dump.write(randomBytes(6 * 1024 * 1024))
    await new Promise((resolve) => setTimeout(resolve, 200))
    await upload.abort()
    expect(await storage.list()).toEqual([])
    expect(await storage.latest()).toBeNull()
    const { deleted } = await storage.applyRetention(
      { keep: 7, maxAgeDays: 30 },
      new Date(Date.now() + 2 * 86_400_000),
    )
    expect(deleted).toEqual([])
  })

  it('applies retention within its prefix only, never touching audit/ or the newest', async () => {
    const storage = fresh()
    const neighbour = fresh()
    const now = new Date('2026-11-27T12:00:00Z')
    const ids = [1, 2, 3].map((d) => idAt(new Date(now.getTime() - d * 86_400_000)))
    for (const id of ids) await putSnapshot(storage, id)
    const theirs = await putSnapshot(neighbour, idAt('2026-10-01T00:00:00Z'))
    await storage.putAuditObject('20261001T000000Z-aaaa.json', '{}\n')
    const { deleted } = await storage.applyRetention({ keep: 1, maxAgeDays: 30 }, now)
    expect(deleted.sort()).toEqual([ids[1], ids[2]].sort())
    expect((await storage.list()).map((m) => m.id)).toEqual([ids[0]])
    expect((await neighbour.list()).map((m) => m.id)).toEqual([theirs.id])
  })

  it('stores audit objects', async () => {
    const storage = fresh()
    await storage.putAuditObject('e1.json', '{"id":"e1"}\n')
    await expect(storage.putAuditObject('../x.json', '{}')).rejects.toThrow(/audit object name/)
  })
})

describe('S3 errors', () => {
  it('says the bucket is missing, with exit code 11', async () => {
    const storage = s3.storage({ bucket: 'no-such-bucket' })
    await expect(storage.check()).rejects.toMatchObject({
      code: 'storage_bucket_missing',
      message: expect.stringMatching(/no-such-bucket does not exist.*storage\.bucket/),
    })
    await expect(storage.list()).rejects.toMatchObject({ code: 'storage_bucket_missing' })
  })

  it('says the endpoint is unreachable', async () => {
    const storage = s3.storage({ endpoint: 'http://127.0.0.1:9', client: { maxAttempts: 1 } })
    await expect(storage.check()).rejects.toMatchObject({
      code: 'storage_unreachable',
      message: expect.stringMatching(/Cannot reach http:\/\/127\.0\.0\.1:9.*storage\.endpoint/),
    })
  })

  it('fails an upload into a missing bucket: commit rejects, and a blocked writer hears of it', async () => {
    const storage = s3.storage({ bucket: 'no-such-bucket', partSize: 5 * 1024 * 1024 })
    const small = await storage.beginSnapshot(idAt('2026-11-27T03:00:00Z'))
    small.dump.end(randomBytes(1000))
    const manifest = manifestFor(idAt('2026-11-27T03:00:00Z'), randomBytes(1000))
    await expect(small.commit(manifest)).rejects.toMatchObject({ code: 'storage_bucket_missing' })

    const large = await storage.beginSnapshot(idAt('2026-11-27T04:00:00Z'))
    const failed = new Promise((resolve) => large.dump.on('error', resolve))
    large.dump.write(randomBytes(12 * 1024 * 1024))
    expect(await failed).toMatchObject({ code: 'storage_bucket_missing' })
    await large.abort()
  })
})

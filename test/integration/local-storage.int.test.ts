import { createHash, randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createLocalStorage } from '../../src/storage/local-storage.js'
import {
  expectReadBackBeforeCommit,
  idAt,
  manifestFor,
  putSnapshot,
  readAll,
} from '../helpers/stored-snapshots.js'
import { createWorkdir } from '../helpers/workdir.js'

const work = createWorkdir()
const secret = randomBytes(32).toString('hex')
let n = 0
const fresh = () =>
  createLocalStorage({
    dir: join(work.dir, `store-${n++}`),
    publicUrl: 'http://dumpling.test',
    linkSecret: secret,
  })

afterAll(() => work.remove())

describe('local storage', () => {
  it('makes a snapshot visible only once its manifest is committed', async () => {
    const storage = fresh()
    const id = idAt('2026-11-27T03:00:00Z')
    const upload = await storage.beginSnapshot(id)
    upload.dump.end(Buffer.from('partial dump'))
    await new Promise((resolve) => upload.dump.on('finish', resolve))
    expect(await storage.list()).toEqual([])
    expect(await storage.latest()).toBeNull()
    await expect(storage.getManifest(id)).rejects.toMatchObject({ code: 'snapshot_unknown' })
    await upload.commit(manifestFor(id, Buffer.from('partial dump')))
    expect((await storage.latest())?.id).toBe(id)
  })

  it('reads back an unpublished dump, which stays invisible until commit', async () => {
    await expectReadBackBeforeCommit(fresh(), 300_000)
  })

  it('lists complete snapshots newest first and ignores an incomplete newer one', async () => {
    const storage = fresh()
    const old = await putSnapshot(storage, idAt('2026-11-25T03:00:00Z'))
    const newer = await putSnapshot(storage, idAt('2026-11-26T03:00:00Z'))
    await putSnapshot(storage, idAt('2026-11-27T03:00:00Z'), undefined, { complete: false })
    expect((await storage.list()).map((m) => m.id)).toEqual([newer.id, old.id])
    expect((await storage.latest())?.id).toBe(newer.id)
  })

  it('streams back the exact bytes of a dump', async () => {
    const storage = fresh()
    const dump = randomBytes(300_000)
    const manifest = await putSnapshot(storage, idAt('2026-11-27T03:00:00Z'), dump)
    const back = await readAll(await storage.openDump(manifest.id))
    expect(createHash('sha256').update(back).digest('hex')).toBe(manifest.dump.sha256)
  })

  it('fails reading a dump that no longer matches its manifest', async () => {
    const storage = fresh()
    const manifest = await putSnapshot(storage, idAt('2026-11-27T03:00:00Z'))
    const path = join(storage.describe(), 'snapshots', manifest.id, 'dump.sql.gz')
    const bytes = readFileSync(path)
    bytes[10] = (bytes[10] ?? 0) ^ 1
    writeFileSync(path, bytes)
    await expect(readAll(await storage.openDump(manifest.id))).rejects.toMatchObject({
      code: 'checksum_mismatch',
    })
  })

  it('leaves nothing visible, and no folder, when an upload is aborted mid-way', async () => {
    const storage = fresh()
    const id = idAt('2026-11-27T03:00:00Z')
    const upload = await storage.beginSnapshot(id)
    upload.dump.write(randomBytes(10_000))
    await upload.abort()
    expect(await storage.list()).toEqual([])
    expect(existsSync(join(storage.describe(), 'snapshots', id))).toBe(false)
  })

  it('refuses unknown and malformed ids with snapshot_unknown', async () => {
    const storage = fresh()
    await putSnapshot(storage, idAt('2026-11-27T03:00:00Z'))
    for (const id of ['20261127T030000Z-0000', '../../etc/passwd', 'latest']) {
      await expect(storage.getManifest(id)).rejects.toMatchObject({ code: 'snapshot_unknown' })
      await expect(storage.createLink(id, 180)).rejects.toMatchObject({ code: 'snapshot_unknown' })
    }
  })

  it('says how to set DUMPLING_LINK_SECRET when a link is asked for without it', async () => {
    const storage = createLocalStorage({
      dir: join(work.dir, 'no-secret'),
      publicUrl: 'http://dumpling.test',
      linkSecret: null,
    })
    const manifest = await putSnapshot(storage, idAt('2026-11-27T03:00:00Z'))
    await expect(storage.createLink(manifest.id, 180)).rejects.toMatchObject({
      code: 'missing_secret',
      message: expect.stringMatching(/DUMPLING_LINK_SECRET/),
    })
  })

  it('applies retention: keeps the newest, deletes the right ones, leaves audit/ and strangers alone', async () => {
    const storage = fresh()
    const now = new Date('2026-11-27T12:00:00Z')
    const ids = [1, 2, 3, 4].map((d) => idAt(new Date(now.getTime() - d * 86_400_000)))
    for (const id of ids) await putSnapshot(storage, id)
    const stale = idAt(new Date(now.getTime() - 3 * 86_400_000), 'ffff')
    await putSnapshot(storage, stale, undefined, { complete: false })
    const staleDir = join(storage.describe(), 'snapshots', stale)
    const old = (now.getTime() - 2 * 86_400_000) / 1000
    for (const f of readdirSync(staleDir)) utimesSync(join(staleDir, f), old, old)
    utimesSync(staleDir, old, old)
    const uploading = idAt(now, 'eeee')
    await putSnapshot(storage, uploading, undefined, { complete: false })
    await storage.putAuditObject('20261101T000000Z-aaaa.json', '{}\n')
    writeFileSync(join(storage.describe(), 'snapshots', 'notes.txt'), 'mine')

    const { deleted } = await storage.applyRetention({ keep: 2, maxAgeDays: 30 }, now)

    expect(deleted.sort()).toEqual([ids[2], ids[3], stale].sort())
    expect((await storage.list()).map((m) => m.id)).toEqual([ids[0], ids[1]])
    const left = readdirSync(join(storage.describe(), 'snapshots')).sort()
    expect(left).toEqual([ids[1], ids[0], uploading, 'notes.txt'].sort())
    expect(readdirSync(join(storage.describe(), 'audit'))).toEqual(['20261101T000000Z-aaaa.json'])
  })

  it('stores audit objects durably and refuses names that climb out of audit/', async () => {
    const storage = fresh()
    await storage.putAuditObject('2026/11/27/e1.json', '{"id":"e1"}\n')
    expect(readFileSync(join(storage.describe(), 'audit/2026/11/27/e1.json'), 'utf8')).toBe(
      '{"id":"e1"}\n',
    )
    await expect(storage.putAuditObject('../snapshots/x.json', '{}')).rejects.toThrow(
      /not an audit object name/,
    )
    await expect(storage.putAuditObject('2026/11/27/e1.json', '{}')).rejects.toMatchObject({
      code: 'storage_failed',
    })
  })
})

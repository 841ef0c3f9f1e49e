import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { expect } from 'vitest'
import { compactUtc, type Manifest } from '../../src/snapshot/manifest.js'
import type { SnapshotStorage } from '../../src/storage/storage.js'

/** A snapshot id for `time` (to the second) with a fixed or random suffix. */
export function idAt(time: Date | string, suffix = randomBytes(2).toString('hex')): string {
  return `${compactUtc(new Date(time))}-${suffix}`
}

/** A manifest describing `dump` as snapshot `id` of database `app`. */
export function manifestFor(id: string, dump: Buffer, database = 'app'): Manifest {
  return {
    formatVersion: 1,
    id,
    createdAt: new Date().toISOString(),
    tool: { name: 'dumpling', version: 'test' },
    source: { database, serverVersion: '15.0', systemIdentifier: '1' },
    schemaFingerprint: 'f',
    rulesHash: 'r',
    tables: [{ name: 'public.users', data: 'dump', rows: 3, bytes: dump.length }],
    dump: {
      file: 'dump.sql.gz',
      compression: 'gzip',
      bytes: dump.length,
      sha256: createHash('sha256').update(dump).digest('hex'),
    },
    durationMs: 1,
  }
}

/**
 * Store `dump` as snapshot `id` through the storage interface, streamed in
 * 64 KiB chunks. With `complete: false` the manifest is never written.
 */
export async function putSnapshot(
  storage: SnapshotStorage,
  id: string,
  dump: Buffer = randomBytes(100_000),
  options: { complete?: boolean } = {},
): Promise<Manifest> {
  const upload = await storage.beginSnapshot(id)
  const chunks = function* () {
    for (let at = 0; at < dump.length; at += 65_536) yield dump.subarray(at, at + 65_536)
  }
  await pipeline(Readable.from(chunks()), upload.dump)
  const manifest = manifestFor(id, dump)
  if (options.complete !== false) await upload.commit(manifest)
  return manifest
}

/** Read a whole stream into one buffer (for small test dumps only). */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Fetch a link: 200, saved under `<database>-<id>.sql.gz`, with the manifest's exact bytes. */
export async function expectDownload(url: string, manifest: Manifest): Promise<Buffer> {
  const res = await fetch(url)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-disposition')).toBe(
    `attachment; filename="${manifest.source.database}-${manifest.id}.sql.gz"`,
  )
  const body = Buffer.from(await res.arrayBuffer())
  expect(createHash('sha256').update(body).digest('hex')).toBe(manifest.dump.sha256)
  return body
}

/**
 * Write a dump without committing it: reading it back gives the same bytes while the
 * snapshot stays invisible, and commit then publishes it.
 */
export async function expectReadBackBeforeCommit(
  storage: SnapshotStorage,
  size: number,
): Promise<void> {
  const dump = randomBytes(size)
  const id = idAt('2026-11-27T05:00:00Z')
  const upload = await storage.beginSnapshot(id)
  await pipeline(Readable.from([dump.subarray(0, 1000), dump.subarray(1000)]), upload.dump)
  const back = await readAll(await upload.readBack())
  expect(back.equals(dump)).toBe(true)
  expect(await storage.latest()).toBeNull()
  await upload.commit(manifestFor(id, dump))
  expect((await storage.latest())?.id).toBe(id)
}

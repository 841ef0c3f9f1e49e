import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Readable, Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { AppError } from '../errors.js'
import type { Manifest } from '../snapshot/manifest.js'
import type { SnapshotStorage } from '../storage/storage.js'

/** A dump on local disk, ready to verify and load. */
export interface LocalSnapshot {
  dumpPath: string
  manifest: Manifest | null
  /** For messages: a file path, or "a link to HOST" (never the link itself). */
  description: string
  /** sha256 and size, when they were computed while the dump was fetched. */
  digest?: { sha256: string; bytes: number }
  /** Remove what was fetched; a local FILE is left alone. */
  cleanup(): Promise<void>
}

/** Is this SOURCE a download link (`/dump latest` hands out https links)? */
export function isLink(source: string): boolean {
  return /^https?:\/\//i.test(source)
}

/** A dump.sql.gz (or a folder holding one), with manifest.json beside it when present. */
export async function localFile(path: string, manifestPath?: string): Promise<LocalSnapshot> {
  let dumpPath = path
  if (existsSync(path) && statSync(path).isDirectory()) dumpPath = join(path, 'dump.sql.gz')
  if (!existsSync(dumpPath)) {
    throw new AppError(
      'snapshot_not_found',
      `No dump at ${dumpPath}. Give a dump.sql.gz, the folder that holds one, a link from /dump latest, or "latest".`,
    )
  }
  const beside = join(dirname(dumpPath), 'manifest.json')
  const manifestFile = manifestPath ?? (existsSync(beside) ? beside : null)
  return {
    dumpPath,
    manifest: manifestFile ? await readManifest(manifestFile) : null,
    description: dumpPath,
    cleanup: async () => {},
  }
}

/**
 * Download a link to a temporary file, streaming, hashing on the way. The
 * link is a bearer token: no message here ever holds it, only its host.
 */
export async function downloadLink(
  link: string,
  manifestPath: string | undefined,
  onBytes: (bytes: number, total: number | null) => void = () => {},
  signal?: AbortSignal,
): Promise<LocalSnapshot> {
  const host = new URL(link).host
  const description = `a link to ${host}`
  const manifest = manifestPath ? await readManifest(manifestPath) : null
  let response: Response
  try {
    response = await fetch(link, signal ? { signal } : {})
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name
    throw new AppError(
      'snapshot_not_found',
      `Could not download ${description} (${cause}). Check the network, or ask for a new link with /dump latest.`,
    )
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel().catch(() => {})
    throw new AppError(
      'snapshot_not_found',
      `Downloading ${description} failed with HTTP ${response.status}. Links work for 3 minutes: ask for a new one with /dump latest.`,
    )
  }
  const total = Number(response.headers.get('content-length')) || null
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream)
  return {
    ...(await saveToTemp(body, description, (n) => onBytes(n, total))),
    manifest,
    description,
  }
}

/** `latest` or a snapshot id from the configured storage, fetched like a link. */
export async function fromStorage(
  storage: SnapshotStorage,
  which: string,
  onBytes: (bytes: number, total: number | null) => void = () => {},
): Promise<LocalSnapshot> {
  const manifest = which === 'latest' ? await storage.latest() : await storage.getManifest(which)
  if (!manifest) {
    throw new AppError(
      'no_snapshot',
      `There is no snapshot in ${storage.describe()} yet. Take one with dumpling snapshot (or /dump refresh).`,
    )
  }
  const description = `snapshot ${manifest.id} in ${storage.describe()}`
  const body = await storage.openDump(manifest.id)
  const saved = await saveToTemp(body, description, (n) => onBytes(n, manifest.dump.bytes))
  return { ...saved, manifest, description }
}

/** Stream a dump to a temporary file, hashing it on the way. */
async function saveToTemp(
  body: Readable,
  description: string,
  onBytes: (bytes: number) => void,
): Promise<Pick<LocalSnapshot, 'dumpPath' | 'digest' | 'cleanup'>> {
  const dir = await mkdtemp(join(tmpdir(), 'dumpling-restore-'))
  const dumpPath = join(dir, 'dump.sql.gz')
  const hash = createHash('sha256')
  let bytes = 0
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk)
      bytes += chunk.length
      onBytes(bytes)
      done(null, chunk)
    },
  })
  const cleanup = () => rm(dir, { recursive: true, force: true })
  try {
    await pipeline(body, count, createWriteStream(dumpPath))
  } catch (err) {
    await cleanup()
    if (err instanceof AppError) throw err
    throw new AppError(
      'snapshot_not_found',
      `The download of ${description} broke off after ${bytes} bytes (${(err as { code?: string }).code ?? (err as Error).name}). Try again.`,
    )
  }
  return { dumpPath, digest: { sha256: hash.digest('hex'), bytes }, cleanup }
}

/**
 * Before anything is loaded: a dump whose digest is known already (computed
 * while it was downloaded) must match the manifest's size and sha256; a local
 * file must have the manifest's size, and its sha256 is computed while it
 * loads (`checkDigest` at the end, before anything is swapped in). Returns
 * whether that check is still to come.
 */
export function verifyBeforeLoad(snapshot: LocalSnapshot): boolean {
  const { manifest } = snapshot
  if (!manifest) return false
  if (snapshot.digest) {
    checkDigest(snapshot, snapshot.digest, false)
    return false
  }
  const bytes = statSync(snapshot.dumpPath).size
  if (bytes !== manifest.dump.bytes)
    checkDigest(snapshot, { sha256: '(not computed)', bytes }, false)
  return true
}

/**
 * The dump must be exactly the one the manifest describes (size and sha256).
 * `loaded`: the mismatch was found while loading (into the scratch database,
 * which the caller drops), not before.
 */
export function checkDigest(
  snapshot: LocalSnapshot,
  digest: { sha256: string; bytes: number },
  loaded: boolean,
): void {
  const { manifest } = snapshot
  if (!manifest) return
  if (digest.bytes === manifest.dump.bytes && digest.sha256 === manifest.dump.sha256) return
  throw new AppError(
    'snapshot_invalid',
    `The dump from ${snapshot.description} does not match its manifest (snapshot ${manifest.id}): ${digest.bytes} bytes with sha256 ${digest.sha256}, the manifest says ${manifest.dump.bytes} bytes with sha256 ${manifest.dump.sha256}. It is damaged or not this snapshot's dump; ${loaded ? 'it was never swapped in' : 'nothing was changed'}. Fetch it again.`,
  )
}

/** sha256 and size of a file, read once. */
export async function digestFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer)
    bytes += (chunk as Buffer).length
  }
  return { sha256: hash.digest('hex'), bytes }
}

async function readManifest(path: string): Promise<Manifest> {
  let parsed: unknown
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    throw new AppError(
      'snapshot_invalid',
      `${path} is not a readable manifest.json (${(err as Error).message}).`,
    )
  }
  const m = parsed as Partial<Manifest>
  if (
    m?.formatVersion !== 1 ||
    typeof m.id !== 'string' ||
    !/^[\w-]{1,40}$/.test(m.id) ||
    typeof m.dump?.sha256 !== 'string' ||
    typeof m.dump?.bytes !== 'number' ||
    !Array.isArray(m.tables)
  ) {
    throw new AppError(
      'snapshot_invalid',
      `${path} is not a Dumpling manifest (formatVersion 1 with id, tables and dump.sha256).`,
    )
  }
  return m as Manifest
}

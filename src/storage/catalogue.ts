import type { Readable } from 'node:stream'
import { maxLinkSeconds } from '../config/config-schema.js'
import { AppError } from '../errors.js'
import type { Manifest } from '../snapshot/manifest.js'
import { isAuditName, isJobName, isSnapshotId } from './keys.js'
import { planRetention } from './retention-plan.js'
import type { SnapshotStorage } from './storage.js'
import type { StorageBackend } from './storage-backend.js'
import { verifyDump } from './verify-dump.js'

/**
 * The SnapshotStorage contract over any backend: only snapshots with a
 * manifest exist, newest first; every id and audit name is checked before it
 * becomes a key or a path; dumps are read through their checksum.
 */
export function createCatalogue(backend: StorageBackend): SnapshotStorage {
  const completeIds = async (): Promise<string[]> =>
    (await backend.listEntries())
      .filter((e) => e.complete)
      .map((e) => e.id)
      .sort()
      .reverse()

  /** null when the manifest vanished since the listing (retention ran in between). */
  const readManifest = async (id: string): Promise<Manifest | null> => {
    const text = await backend.readManifest(id)
    return text === null ? null : parseManifest(id, text, backend.describe())
  }

  const getManifest = async (id: string): Promise<Manifest> => {
    const manifest = isSnapshotId(id) ? await readManifest(id) : null
    if (manifest) return manifest
    throw new AppError(
      'snapshot_unknown',
      `No snapshot ${JSON.stringify(id)} in ${backend.describe()}: it never existed, is incomplete, or was removed by retention. Run \`dumpling list\` for the ids, or use latest.`,
    )
  }

  return {
    describe: () => backend.describe(),
    check: () => backend.check(),
    async beginSnapshot(id) {
      if (!isSnapshotId(id)) throw new Error(`not a snapshot id: ${JSON.stringify(id)}`)
      return backend.beginSnapshot(id)
    },
    async list() {
      const manifests = await Promise.all((await completeIds()).map(readManifest))
      return manifests.filter((m): m is Manifest => m !== null)
    },
    async latest() {
      for (const id of await completeIds()) {
        const manifest = await readManifest(id)
        if (manifest) return manifest
      }
      return null
    },
    getManifest,
    async openDump(id) {
      const manifest = await getManifest(id)
      const raw: Readable = await backend.openDump(id)
      const verified = verifyDump(manifest)
      raw.on('error', (err) => verified.destroy(err))
      return raw.pipe(verified)
    },
    async createLink(id, expiresInSeconds) {
      checkLinkSeconds(expiresInSeconds)
      return backend.createLink(await getManifest(id), expiresInSeconds)
    },
    async createLinkTo(manifest, expiresInSeconds) {
      checkLinkSeconds(expiresInSeconds)
      return backend.createLink(manifest, expiresInSeconds)
    },
    async applyRetention(policy, now = new Date()) {
      const deleted = planRetention(await backend.listEntries(), policy, now)
      for (const id of deleted) await backend.deleteSnapshot(id)
      return { deleted }
    },
    async putAuditObject(key, body) {
      if (!isAuditName(key)) throw new Error(`not an audit object name: ${JSON.stringify(key)}`)
      await backend.putAuditObject(key, body)
    },
    async putJobObject(name, body) {
      if (!isJobName(name)) throw new Error(`not a job object name: ${JSON.stringify(name)}`)
      await backend.putJobObject(name, body)
    },
    async readJobObject(name) {
      if (!isJobName(name)) throw new Error(`not a job object name: ${JSON.stringify(name)}`)
      return backend.readJobObject(name)
    },
  }
}

function checkLinkSeconds(expiresInSeconds: number): void {
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 1) {
    throw new RangeError(`expiresInSeconds must be a positive integer, not ${expiresInSeconds}`)
  }
  if (expiresInSeconds > maxLinkSeconds) {
    throw new RangeError(`links live at most ${maxLinkSeconds} s, not ${expiresInSeconds}`)
  }
}

function parseManifest(id: string, text: string, where: string): Manifest {
  let manifest: Partial<Manifest> | null = null
  try {
    manifest = JSON.parse(text) as Partial<Manifest>
  } catch {}
  if (
    manifest?.id === id &&
    typeof manifest.dump?.sha256 === 'string' &&
    typeof manifest.dump.bytes === 'number'
  ) {
    return manifest as Manifest
  }
  throw new AppError(
    'storage_failed',
    `The manifest of snapshot ${id} in ${where} is not a Dumpling manifest for that id. Delete that snapshot's folder, or take a new snapshot.`,
  )
}

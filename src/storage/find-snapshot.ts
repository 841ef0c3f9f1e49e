import { AppError } from '../errors.js'
import type { Manifest } from '../snapshot/manifest.js'
import type { SnapshotStorage } from './storage.js'

/** `latest` or a snapshot id → its manifest; no snapshot yet is an AppError saying what to do. */
export async function findSnapshot(storage: SnapshotStorage, which: string): Promise<Manifest> {
  const manifest = which === 'latest' ? await storage.latest() : await storage.getManifest(which)
  if (!manifest) {
    throw new AppError(
      'no_snapshot',
      `There is no snapshot in ${storage.describe()} yet: take one with \`dumpling snapshot\`.`,
    )
  }
  return manifest
}

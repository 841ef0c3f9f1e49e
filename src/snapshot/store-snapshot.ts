import type { Readable } from 'node:stream'
import type { SnapshotStorage } from '../storage/storage.js'
import type { SnapshotTarget } from './folder-target.js'
import type { Manifest } from './manifest.js'
import { runSnapshot, type SnapshotOptions } from './run-snapshot.js'

export interface StoreSnapshotOptions
  extends Omit<SnapshotOptions, 'target' | 'outputDir' | 'force'> {
  storage: SnapshotStorage
  /**
   * Runs once the dump is stored and before its manifest is written: check the
   * dump (read it with `readBack`) and return the manifest to publish, or throw
   * and nothing is published.
   */
  beforePublish?: (manifest: Manifest, readBack: () => Promise<Readable>) => Promise<Manifest>
}

/**
 * Take a snapshot into the configured storage, then apply retention
 * (`config.retention`). A retention failure is a warning: the new snapshot is
 * stored and visible either way.
 */
export async function storeSnapshot(
  options: StoreSnapshotOptions,
): Promise<{ manifest: Manifest; deleted: string[] }> {
  const { storage, beforePublish, ...rest } = options
  /** The manifest as published (with what was verified), set by the wrapped commit. */
  const published: { manifest?: Manifest } = {}
  const target: SnapshotTarget = beforePublish
    ? {
        describe: () => storage.describe(),
        check: () => storage.check(),
        async beginSnapshot(id) {
          const upload = await storage.beginSnapshot(id)
          return {
            ...upload,
            commit: async (manifest) => {
              published.manifest = await beforePublish(manifest, () => upload.readBack())
              await upload.commit(published.manifest)
            },
          }
        },
      }
    : storage
  const taken = await runSnapshot({ ...rest, target })
  const manifest = published.manifest ?? taken
  try {
    const { deleted } = await storage.applyRetention(options.config.retention)
    return { manifest, deleted }
  } catch (err) {
    options.onEvent?.({
      type: 'warning',
      message: `retention did not run: ${(err as Error).message}`,
    })
    return { manifest, deleted: [] }
  }
}

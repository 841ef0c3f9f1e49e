import type { SnapshotStorage } from '../storage/storage.js'
import type { Manifest } from './manifest.js'
import { runSnapshot, type SnapshotOptions } from './run-snapshot.js'

export interface StoreSnapshotOptions
  extends Omit<SnapshotOptions, 'target' | 'outputDir' | 'force'> {
  storage: SnapshotStorage
}

/**
 * Take a snapshot into the configured storage, then apply retention
 * (`config.retention`). A retention failure is a warning: the new snapshot is
 * stored and visible either way.
 */
export async function storeSnapshot(
  options: StoreSnapshotOptions,
): Promise<{ manifest: Manifest; deleted: string[] }> {
  const { storage, ...rest } = options
  const manifest = await runSnapshot({ ...rest, target: storage })
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

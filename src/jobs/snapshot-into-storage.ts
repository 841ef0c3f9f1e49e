import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { runSnapshot } from '../snapshot/run-snapshot.js'
import type { TakeSnapshot } from './in-process-jobs.js'

/**
 * Take a snapshot and store it: the engine writes its (already anonymized) dump to a
 * private temporary folder, which is then streamed into the storage and removed.
 * The manifest is committed last, so a failed run never becomes visible.
 * Stopgap until the engine streams into a storage upload directly (issue 4).
 */
export const snapshotIntoStorage: TakeSnapshot = async ({ config, storage, signal, onEvent }) => {
  const dir = await mkdtemp(join(tmpdir(), 'dumpling-run-'))
  try {
    const manifest = await runSnapshot({ config, outputDir: dir, onEvent, signal })
    const upload = await storage.beginSnapshot(manifest.id)
    try {
      await pipeline(createReadStream(join(dir, manifest.dump.file)), upload.dump, { signal })
      await upload.commit(manifest)
    } catch (err) {
      await upload.abort().catch(() => {})
      throw err
    }
    return manifest
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

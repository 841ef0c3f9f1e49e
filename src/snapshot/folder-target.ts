import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { finished } from 'node:stream/promises'
import { AppError } from '../errors.js'
import type { SnapshotStorage } from '../storage/storage.js'

/** Where runSnapshot writes: a SnapshotStorage, or one folder (`--output DIR`). */
export type SnapshotTarget = Pick<SnapshotStorage, 'describe' | 'check' | 'beginSnapshot'>

/**
 * `--output DIR`: DIR/dump.sql.gz (written as dump.sql.gz.partial, renamed when
 * complete), then DIR/manifest.json. `check` refuses a folder that already holds
 * a snapshot unless `force`, before any row is read.
 */
export function createFolderTarget(dir: string, options: { force?: boolean } = {}): SnapshotTarget {
  const dumpPath = join(dir, 'dump.sql.gz')
  const manifestPath = join(dir, 'manifest.json')
  const partialPath = `${dumpPath}.partial`
  return {
    describe: () => dir,
    async check() {
      await mkdir(dir, { recursive: true })
      const present = [dumpPath, manifestPath, partialPath].filter((f) => existsSync(f))
      if (present.length > 0 && !options.force) {
        throw new AppError(
          'output_exists',
          `${dir} already holds a snapshot (${present.join(', ')}). Choose another --output folder, or pass --force to replace it.`,
        )
      }
      await Promise.all(present.map((f) => rm(f, { force: true })))
    },
    async beginSnapshot() {
      const dump = createWriteStream(partialPath, { flags: 'wx' })
      return {
        dump,
        async readBack() {
          if (!dump.writableFinished) await finished(dump)
          return createReadStream(partialPath, { highWaterMark: 1 << 20 })
        },
        async commit(manifest) {
          await rename(partialPath, dumpPath)
          await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)
        },
        async abort() {
          dump.destroy()
          await rm(partialPath, { force: true })
        },
      }
    },
  }
}

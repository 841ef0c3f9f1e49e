import { constants, createWriteStream } from 'node:fs'
import {
  access,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises'
import { dirname, join, resolve, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { requireLinkSecret } from '../config/load-config.js'
import { AppError } from '../errors.js'
import { createCatalogue } from './catalogue.js'
import { auditKey, dumpFile, isSnapshotId, jobKey, manifestFile, snapshotKey } from './keys.js'
import { signLinkToken } from './link-token.js'
import type { SnapshotEntry } from './retention-plan.js'
import type { SnapshotStorage } from './storage.js'
import type { StorageBackend } from './storage-backend.js'

export interface LocalStorageOptions {
  /** The folder holding snapshots/ and audit/. */
  dir: string
  /** Base URL of `dumpling serve`, without a trailing slash. */
  publicUrl: string
  /** DUMPLING_LINK_SECRET; links cannot be made without it. */
  linkSecret: string | null
  /** The time links are signed at; tests move it. */
  now?: () => Date
}

/** Snapshots in a local folder, for trying Dumpling and for teams without S3. */
export function createLocalStorage(options: LocalStorageOptions): SnapshotStorage {
  const root = resolve(options.dir)
  const now = options.now ?? (() => new Date())
  /** Every path comes from a validated key; this makes sure no key ever leaves the folder. */
  const pathOf = (key: string): string => {
    const path = resolve(root, key)
    if (!path.startsWith(root + sep)) {
      throw new Error(`${key} is outside ${root}`)
    }
    return path
  }
  const folderOf = (id: string) => dirname(pathOf(snapshotKey('', id, manifestFile)))
  const failed = (what: string, err: unknown) =>
    new AppError(
      'storage_failed',
      `Could not ${what} in the storage folder ${root}: ${(err as Error).message}. Check storage.dir and the folder's permissions and free space.`,
      { cause: err },
    )

  const backend: StorageBackend = {
    describe: () => root,

    async check() {
      try {
        await mkdir(join(root, 'snapshots'), { recursive: true })
        await mkdir(join(root, 'audit'), { recursive: true })
        await access(root, constants.W_OK)
      } catch (err) {
        throw failed('write', err)
      }
    },

    async listEntries() {
      const names = await readdir(join(root, 'snapshots')).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return []
        throw failed('list snapshots', err)
      })
      const entries: SnapshotEntry[] = []
      for (const id of names.filter(isSnapshotId)) {
        const folder = folderOf(id)
        const files = await readdir(folder).catch(() => null)
        if (!files) continue
        const times = await Promise.all(
          files.map((f) =>
            stat(join(folder, f)).then(
              (s) => s.mtimeMs,
              () => 0,
            ),
          ),
        )
        const folderTime = await stat(folder).then(
          (s) => s.mtimeMs,
          () => 0,
        )
        entries.push({
          id,
          complete: files.includes(manifestFile),
          lastModified: new Date(Math.max(folderTime, ...times)),
        })
      }
      return entries
    },

    async readManifest(id) {
      return readFile(pathOf(snapshotKey('', id, manifestFile)), 'utf8').catch(
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT') return null
          throw failed('read a manifest', err)
        },
      )
    },

    async openDump(id): Promise<Readable> {
      const handle = await open(pathOf(snapshotKey('', id, dumpFile)), 'r').catch((err) => {
        throw failed(`open the dump of ${id}`, err)
      })
      return handle.createReadStream()
    },

    async beginSnapshot(id) {
      const folder = folderOf(id)
      const dumpPath = pathOf(snapshotKey('', id, dumpFile))
      const manifestPath = pathOf(snapshotKey('', id, manifestFile))
      try {
        await mkdir(folder, { recursive: true })
      } catch (err) {
        throw failed('create a snapshot folder', err)
      }
      const dump = createWriteStream(dumpPath, { flags: 'wx' })
      return {
        dump,
        async readBack() {
          if (!dump.writableFinished) await finished(dump)
          const handle = await open(dumpPath, 'r').catch((err) => {
            throw failed(`read back the dump of ${id}`, err)
          })
          return handle.createReadStream({ highWaterMark: 1 << 20 })
        },
        async commit(manifest) {
          if (!dump.writableFinished) await finished(dump)
          await writeDurably(`${manifestPath}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`)
          await rename(`${manifestPath}.tmp`, manifestPath)
        },
        async abort() {
          dump.destroy()
          await rm(folder, { recursive: true, force: true })
        },
      }
    },

    async deleteSnapshot(id) {
      await rm(pathOf(snapshotKey('', id, manifestFile)), { force: true })
      await rm(folderOf(id), { recursive: true, force: true })
    },

    async createLink(manifest, expiresInSeconds) {
      const secret = requireLinkSecret(options)
      const expiresAt = new Date(now().getTime() + expiresInSeconds * 1000)
      const token = signLinkToken(secret, manifest.id, expiresAt)
      return { url: `${options.publicUrl}/download/${token}`, expiresAt }
    },

    async putAuditObject(name, body) {
      const path = pathOf(auditKey('', name))
      try {
        await mkdir(dirname(path), { recursive: true })
        await writeDurably(path, body)
      } catch (err) {
        throw failed(`store audit object ${name}`, err)
      }
    },

    async putJobObject(name, body) {
      const path = pathOf(jobKey('', name))
      try {
        await mkdir(dirname(path), { recursive: true })
        // Write then rename: a reader never sees half an object.
        const tmp = `${path}.${process.pid}.tmp`
        await writeFile(tmp, body)
        await rename(tmp, path)
      } catch (err) {
        throw failed(`store jobs/${name}`, err)
      }
    },

    async readJobObject(name) {
      return readFile(pathOf(jobKey('', name)), 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null
        throw failed(`read jobs/${name}`, err)
      })
    },
  }
  return createCatalogue(backend)
}

/** Write a new file and fsync it before resolving: it survives a crash once we say it is stored. */
async function writeDurably(path: string, body: string): Promise<void> {
  const handle = await open(path, 'wx')
  try {
    await handle.writeFile(body)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

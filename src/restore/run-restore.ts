import { existsSync } from 'node:fs'
import { AppError } from '../errors.js'
import { snapshotId } from '../snapshot/manifest.js'
import { isSnapshotId } from '../storage/keys.js'
import type { SnapshotStorage } from '../storage/storage.js'
import {
  checkSessions,
  checkSourceIdentity,
  checkTarget,
  describeTarget,
  parseTarget,
  previousName,
  type Target,
  type TargetPolicy,
} from './guards.js'
import { loadIntoScratch } from './load-into-scratch.js'
import { requiredExtensions } from './required-extensions.js'
import {
  downloadLink,
  fromStorage,
  isLink,
  type LocalSnapshot,
  localFile,
  verifyBeforeLoad,
} from './snapshot-source.js'
import { swapDatabases } from './swap-databases.js'
import {
  connectMaintenance,
  dropDatabase,
  missingExtensions,
  openSessions,
  readTargetFacts,
} from './target-server.js'

export type RestorePhase =
  | 'download'
  | 'verify'
  | 'schema'
  | 'data'
  | 'indexes'
  | 'constraints'
  | 'analyze'
  | 'swap'

export type RestoreEvent =
  | { type: 'phase'; phase: RestorePhase }
  | { type: 'download'; bytes: number; total: number | null }
  | {
      type: 'progress'
      bytesRead: number
      bytesTotal: number
      tablesLoaded: number
      tablesTotal: number | null
      rows: number
    }
  | { type: 'warning'; message: string }

/** What the person is asked to confirm on a terminal. */
export interface ConfirmRequest {
  target: Target
  snapshot: string
  replaces: boolean
}

export interface RestoreOptions {
  /** FILE, a folder holding dump.sql.gz, a LINK, `latest` or a snapshot id. */
  source: string
  /** Where `latest` and ids are read from; needed only for those. */
  storage?: () => SnapshotStorage
  /** `--target`: a postgres:// URL; the database it names is replaced. */
  targetUrl: string
  policy: TargetPolicy
  jobs: number
  /** `--owner`: the role that owns the new database and everything in it. */
  owner?: string | undefined
  /** `--manifest`: the manifest of a dump that has none beside it (a LINK). */
  manifestPath?: string | undefined
  /** `--unverified`: restore a dump without a manifest (no checksum, no source check). */
  unverified?: boolean | undefined
  /** `--force-disconnect`: end sessions on the database being replaced. */
  forceDisconnect?: boolean | undefined
  /** Ask for the typed database name; resolves true to go on. Null: no terminal and no --yes. */
  confirm: ((request: ConfirmRequest) => Promise<boolean>) | null
  onEvent?: (event: RestoreEvent) => void
  signal?: AbortSignal
}

export interface RestoreSummary {
  snapshotId: string
  target: string
  /** The name the old database now has, or null when there was none. */
  previous: string | null
  tables: number
  rows: number
  durationMs: number
  verified: boolean
}

/**
 * Restore a snapshot into the target database without ever risking it: every
 * guard runs before any change; the dump loads into a scratch database which
 * replaces the target only once it is complete, counted and analyzed; a
 * failure removes the scratch database and leaves the target as it was.
 */
export async function runRestore(options: RestoreOptions): Promise<RestoreSummary> {
  const started = Date.now()
  const emit = options.onEvent ?? (() => {})
  const target = parseTarget(options.targetUrl)
  checkTarget(target, options.policy)

  const snapshot = await openSnapshot(options, emit)
  try {
    const { manifest } = snapshot
    if (!manifest && !options.unverified) {
      throw new AppError(
        'restore_refused',
        `${snapshot.description} has no manifest.json, so neither its checksum nor the server it came from can be checked. Pass --manifest FILE (the snapshot's manifest.json), or --unverified to restore it anyway.`,
      )
    }
    emit({ type: 'phase', phase: 'verify' })
    // A local file's sha256 is computed while it loads (one read instead of two);
    // nothing is swapped in unless it matched.
    const hashWhileLoading = verifyBeforeLoad(snapshot)
    if (!manifest) {
      emit({
        type: 'warning',
        message:
          'no manifest: the checksum and the source-server check were skipped (--unverified).',
      })
    }
    const id = manifest?.id ?? snapshotId(new Date())
    const names = previousName(target.database, id)

    const admin = await connectMaintenance(options.targetUrl)
    try {
      const facts = await readTargetFacts(admin, target, options.owner)
      checkSourceIdentity(target, facts.systemIdentifier, manifest?.source.systemIdentifier ?? null)
      if (!facts.roleExists) {
        throw new AppError(
          'usage',
          `--owner ${options.owner}: there is no such role on ${target.host}:${target.port}. Create it (CREATE ROLE ${options.owner} LOGIN) or name another.`,
        )
      }
      const missing = await missingExtensions(admin, await requiredExtensions(snapshot.dumpPath))
      if (missing.length > 0) {
        const major = Math.floor(facts.serverVersionNum / 10000)
        throw new AppError(
          'extension_missing',
          `The snapshot needs PostgreSQL extension${missing.length === 1 ? '' : 's'} the target server does not have: ${missing.join(', ')}. Install ${missing.length === 1 ? 'it' : 'them'} on ${target.host} for PostgreSQL ${major} (contrib ones come with the server package; others, e.g. on Debian/Ubuntu: apt-get install postgresql-${major}-<name>), then run the restore again. Nothing was changed.`,
        )
      }
      const watched = facts.exists ? [target.database, names.previous] : [names.previous]
      checkSessions(await openSessions(admin, watched), options.forceDisconnect ?? false)
      await askToConfirm(options, {
        target,
        snapshot: describeSnapshot(snapshot, id),
        replaces: facts.exists,
      })

      const loaded = await loadIntoScratch(
        { ...options, hashWhileLoading },
        snapshot,
        target,
        names.scratch,
        admin,
        emit,
      )
      emit({ type: 'phase', phase: 'swap' })
      const previous = await swapDatabases(admin, {
        target: target.database,
        scratch: names.scratch,
        previous: names.previous,
        targetExists: facts.exists,
        forceDisconnect: options.forceDisconnect ?? false,
      }).catch(async (err) => {
        await dropDatabase(admin, names.scratch).catch(() => {})
        throw err
      })
      return {
        snapshotId: id,
        target: describeTarget(target),
        previous,
        tables: loaded.tables,
        rows: loaded.rows,
        durationMs: Date.now() - started,
        verified: manifest !== null,
      }
    } finally {
      await admin.end().catch(() => {})
    }
  } finally {
    await snapshot.cleanup()
  }
}

async function openSnapshot(
  options: RestoreOptions,
  emit: (e: RestoreEvent) => void,
): Promise<LocalSnapshot> {
  if (isLink(options.source)) {
    emit({ type: 'phase', phase: 'download' })
    return downloadLink(
      options.source,
      options.manifestPath,
      (bytes, total) => emit({ type: 'download', bytes, total }),
      options.signal,
    )
  }
  if (isStored(options.source) && !existsSync(options.source)) {
    if (!options.storage) throw new Error('restore of a stored snapshot without storage')
    emit({ type: 'phase', phase: 'download' })
    return fromStorage(options.storage(), options.source, (bytes, total) =>
      emit({ type: 'download', bytes, total }),
    )
  }
  return localFile(options.source, options.manifestPath)
}

/** `latest`, or something shaped like a snapshot id: read from storage. */
export function isStored(source: string): boolean {
  return source === 'latest' || isSnapshotId(source)
}

function describeSnapshot(snapshot: LocalSnapshot, id: string): string {
  const m = snapshot.manifest
  if (!m) return `${snapshot.description} (no manifest)`
  return `${id} of ${m.source.database}, taken ${m.createdAt}`
}

async function askToConfirm(options: RestoreOptions, request: ConfirmRequest): Promise<void> {
  if (!options.confirm) {
    throw new AppError(
      'restore_refused',
      `Restoring replaces ${describeTarget(request.target)}; without a terminal to confirm on, pass --yes. Nothing was changed.`,
    )
  }
  if (!(await options.confirm(request))) {
    throw new AppError('restore_refused', 'Not confirmed: nothing was changed.')
  }
}

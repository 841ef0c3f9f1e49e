import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'
import { type Config, requireSourceUrl } from '../config/load-config.js'
import { AppError, isAppError } from '../errors.js'
import type { Logger } from '../logger.js'
import type { Manifest, Verification } from '../snapshot/manifest.js'
import type { SnapshotEvent } from '../snapshot/run-snapshot.js'
import { storeSnapshot } from '../snapshot/store-snapshot.js'
import type { SnapshotStorage } from '../storage/storage.js'
import type { JobState } from './job-state.js'
import type { RunningJob } from './jobs.js'
import { createProgressWriter } from './progress-writer.js'
import { jobRunningError, type LockHolder, tryLockSource } from './source-lock.js'
import { leakScanStep, restoreStep, type Verifiers } from './verify-steps.js'

export interface SnapshotJobOptions {
  config: Config
  storage: SnapshotStorage
  log: Logger
  /** A Slack user id, `schedule`, `cli:<user>`, `lambda`… */
  startedBy: string
  verifiers: Verifiers
  /** Abort the run (SIGTERM, shutdown): the lock is released and nothing is published. */
  signal?: AbortSignal
  /** Chosen by a runner that waits for this run from elsewhere (the Lambda runner). */
  runId?: string
  onEvent?: (event: SnapshotEvent) => void
  now?: () => Date
}

/** A published snapshot, and the ones retention removed after it. */
export interface PublishedSnapshot {
  manifest: Manifest
  deleted: string[]
}

export type SnapshotJobStart =
  | { started: true; job: RunningJob; runId: string; done: Promise<PublishedSnapshot> }
  | { started: false; holder: LockHolder | null }

/**
 * THE publish pipeline, for the CLI, the schedule, `/dump refresh` and the Lambda
 * handler alike: take the source's advisory lock (or say who holds it), then
 * snapshot → verify (test restore, leak scan) → publish (the manifest is written
 * only after verify passes) → retention, with progress in `jobs/current.json`.
 * Any failure, SIGTERM or lost source connection: nothing is published, the
 * previous snapshot stays latest, the lock is released, the reason is recorded.
 */
export async function startSnapshotJob(options: SnapshotJobOptions): Promise<SnapshotJobStart> {
  const { config, storage } = options
  const now = options.now ?? (() => new Date())
  const startedAt = now()
  const locked = await tryLockSource(requireSourceUrl(config), options.startedBy, startedAt)
  if (!locked.ok) return { started: false, holder: locked.holder }
  const { lock } = locked

  const runId =
    options.runId ?? `${startedAt.getTime().toString(36)}-${randomBytes(4).toString('hex')}`
  const log = options.log.child({ module: 'jobs', runId })
  const job: RunningJob = { startedAt, startedBy: options.startedBy, progress: null }
  const initial: JobState = {
    runId,
    state: 'running',
    startedBy: options.startedBy,
    host: hostname(),
    startedAt: startedAt.toISOString(),
    updatedAt: startedAt.toISOString(),
    phase: 'lock',
    tablesDone: 0,
    tablesTotal: 0,
    rows: 0,
    bytes: 0,
    elapsedMs: 0,
  }
  const progress = createProgressWriter(
    storage,
    initial,
    config.jobs.progressSeconds * 1000,
    log,
    now,
  )
  const signal = AbortSignal.any(options.signal ? [options.signal, lock.lost] : [lock.lost])
  log.info({ startedBy: options.startedBy }, 'snapshot job started')

  const onEvent = (event: SnapshotEvent) => {
    if (event.type === 'progress') {
      const { tablesDone, tablesTotal, rows, bytes } = event
      job.progress = { tablesDone, tablesTotal, rows, bytes }
      progress.update(job.progress)
    } else if (event.type === 'phase') {
      progress.update({ phase: event.phase })
    } else {
      log.warn({ warning: event.message }, 'snapshot warning')
    }
    options.onEvent?.(event)
  }

  const note = (message: string) => onEvent({ type: 'warning', message })
  const run = async (): Promise<PublishedSnapshot> => {
    try {
      // The leak scan runs inside the run's exported snapshot, before its transaction ends;
      // the test restore once the dump is stored; the manifest is written after both.
      let scanned: Pick<Verification, 'leakScan' | 'notes'> = { leakScan: 'off', notes: [] }
      const { manifest, deleted } = await storeSnapshot({
        config,
        storage,
        signal,
        onEvent,
        verify: async ({ snapshot, open, tables }) => {
          progress.update({ phase: 'verify' })
          scanned = await leakScanStep(
            options.verifiers,
            { config, snapshot, tables, readBack: open, signal },
            note,
          )
        },
        beforePublish: async (manifest, readBack) => {
          // Never publish once the lock is gone: another run may already have started.
          signal.throwIfAborted()
          progress.update({ phase: 'verify' })
          const restored = await restoreStep(
            options.verifiers,
            { config, manifest, readBack, signal },
            note,
          )
          progress.update({ phase: 'publish' })
          const verified: Verification = {
            restore: restored.restore,
            leakScan: scanned.leakScan,
            notes: [...restored.notes, ...scanned.notes],
          }
          return { ...manifest, verified }
        },
      })
      await progress.finish({ state: 'succeeded', phase: 'done', snapshotId: manifest.id })
      log.info(
        { snapshotId: manifest.id, ms: now().getTime() - startedAt.getTime() },
        'snapshot job published',
      )
      return { manifest, deleted }
    } catch (caught) {
      const err =
        lock.lost.aborted && !options.signal?.aborted
          ? new AppError(
              'lock_lost',
              'The connection that holds the job lock on the source was lost, so the snapshot was stopped; nothing was published and the previous snapshot stays latest. Check that the source is reachable, then start it again.',
              { cause: caught },
            )
          : caught
      const reason = isAppError(err) ? err.message : 'an unexpected error (see the server log)'
      if (isAppError(err)) log.warn({ code: err.code }, 'snapshot job failed')
      else log.error({ err }, 'snapshot job failed unexpectedly')
      await progress.finish({ state: 'failed', reason })
      throw err
    } finally {
      await lock.release()
    }
  }
  const done = run()
  done.catch(() => {})
  return { started: true, job, runId, done }
}

/** Run the pipeline to the end here (CLI, Lambda); a held lock is a `job_running` error naming its holder. */
export async function runSnapshotJob(options: SnapshotJobOptions): Promise<PublishedSnapshot> {
  const start = await startSnapshotJob(options)
  if (!start.started) throw jobRunningError(start.holder)
  return start.done
}

import type { Config } from '../config/load-config.js'
import { isAppError } from '../errors.js'
import type { Logger } from '../logger.js'
import type { Manifest } from '../snapshot/manifest.js'
import type { SnapshotEvent } from '../snapshot/run-snapshot.js'
import type { SnapshotStorage } from '../storage/storage.js'
import type { JobOutcome, JobStatus, Jobs, RunningJob } from './jobs.js'

/** Takes one snapshot into the storage; the default runs the snapshot engine in this process. */
export type TakeSnapshot = (options: {
  config: Config
  storage: SnapshotStorage
  signal: AbortSignal
  onEvent: (event: SnapshotEvent) => void
}) => Promise<Manifest>

export interface InProcessJobsOptions {
  config: Config
  storage: SnapshotStorage
  log: Logger
  takeSnapshot: TakeSnapshot
}

/**
 * Single flight in this process: while a snapshot runs, `start` reports it instead
 * of starting another. The check and the claim happen in one synchronous step, so
 * two requests arriving together cannot both start one.
 */
export function createInProcessJobs(options: InProcessJobsOptions): Jobs {
  const log = options.log.child({ module: 'jobs' })
  let running: { job: RunningJob; abort: AbortController; done: Promise<JobOutcome> } | null = null
  let last: JobStatus['last'] = null

  async function run(job: RunningJob, signal: AbortSignal): Promise<JobOutcome> {
    const started = Date.now()
    log.info({ startedBy: job.startedBy }, 'snapshot started')
    try {
      const manifest = await options.takeSnapshot({
        config: options.config,
        storage: options.storage,
        signal,
        onEvent: (event) => {
          if (event.type === 'progress') {
            const { tablesDone, tablesTotal, rows, bytes } = event
            job.progress = { tablesDone, tablesTotal, rows, bytes }
          } else if (event.type === 'warning') {
            log.warn({ warning: event.message }, 'snapshot warning')
          }
        },
      })
      log.info({ snapshotId: manifest.id, ms: Date.now() - started }, 'snapshot finished')
      return { ok: true, manifest }
    } catch (err) {
      if (isAppError(err)) {
        log.warn({ code: err.code, ms: Date.now() - started }, 'snapshot failed')
        return { ok: false, reason: err.message }
      }
      log.error({ err }, 'snapshot failed unexpectedly')
      return { ok: false, reason: 'an unexpected error (see the server log)' }
    }
  }

  return {
    async start(requester) {
      if (running) return { started: false, running: running.job }
      const job: RunningJob = { startedAt: new Date(), startedBy: requester, progress: null }
      const abort = new AbortController()
      const done = run(job, abort.signal).then((outcome) => {
        last = { ...outcome, startedBy: job.startedBy, finishedAt: new Date() }
        running = null
        return outcome
      })
      running = { job, abort, done }
      return { started: true, job, done }
    },
    async status() {
      return { running: running?.job ?? null, last, nextRun: null }
    },
    async stop() {
      if (!running) return
      running.abort.abort()
      await running.done
    },
  }
}

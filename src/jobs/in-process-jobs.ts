import type { Config } from '../config/load-config.js'
import { isAppError } from '../errors.js'
import type { Logger } from '../logger.js'
import type { SnapshotStorage } from '../storage/storage.js'
import type { JobOutcome, JobStatus, Jobs, RunningJob, StartResult } from './jobs.js'
import { sharedStatus } from './shared-status.js'
import { startSnapshotJob } from './snapshot-job.js'
import type { LockHolder } from './source-lock.js'
import type { Verifiers } from './verify-steps.js'

export interface InProcessJobsOptions {
  config: Config
  storage: SnapshotStorage
  log: Logger
  verifiers: Verifiers
  now?: () => Date
}

/**
 * `runner: inprocess`: snapshots run in this process through the publish pipeline.
 * Single flight twice over: in this process (the check and the claim happen in one
 * synchronous step, so two requests arriving together cannot both start one), and
 * across processes and machines by the advisory lock on the source.
 */
export function createInProcessJobs(options: InProcessJobsOptions): Jobs {
  const { config, storage } = options
  const now = options.now ?? (() => new Date())
  let running: { job: RunningJob; abort: AbortController; done: Promise<JobOutcome> } | null = null
  let starting: Promise<StartResult> | null = null
  let last: JobStatus['last'] = null

  async function begin(requester: string): Promise<StartResult> {
    const abort = new AbortController()
    let start: Awaited<ReturnType<typeof startSnapshotJob>>
    try {
      start = await startSnapshotJob({
        config,
        storage,
        log: options.log,
        startedBy: requester,
        verifiers: options.verifiers,
        signal: abort.signal,
        now,
      })
    } catch (err) {
      // No lock session (source unreachable, a secret missing): a failed run, told in words.
      const outcome = failure(err, options.log)
      const job: RunningJob = { startedAt: now(), startedBy: requester, progress: null }
      last = { ...outcome, startedBy: requester, finishedAt: now() }
      return { started: true, job, done: Promise.resolve(outcome) }
    }
    if (!start.started) return { started: false, running: holderJob(start.holder, now()) }
    const { job } = start
    const done = start.done.then(
      ({ manifest }): JobOutcome => ({ ok: true, manifest }),
      (err: unknown) => failure(err, options.log),
    )
    running = { job, abort, done }
    void done.then((outcome) => {
      last = { ...outcome, startedBy: job.startedBy, finishedAt: now() }
      running = null
    })
    return { started: true, job, done }
  }

  return {
    async start(requester) {
      if (running) return { started: false, running: running.job }
      if (starting) {
        const other = await starting
        return other.started ? { started: false, running: other.job } : other
      }
      starting = begin(requester)
      try {
        return await starting
      } finally {
        starting = null
      }
    },
    status: () => sharedStatus(config, storage, { running: running?.job ?? null, last }, now()),
    async stop() {
      if (!running) return
      running.abort.abort()
      await running.done
    },
  }
}

/** The holder of the source lock as a running job: who, and since when. */
export function holderJob(holder: LockHolder | null, now: Date): RunningJob {
  if (!holder) return { startedAt: now, startedBy: 'another process', progress: null }
  const at = holder.who.lastIndexOf('@')
  return at > 0
    ? {
        startedAt: holder.since,
        startedBy: holder.who.slice(0, at),
        host: holder.who.slice(at + 1),
        progress: null,
      }
    : { startedAt: holder.since, startedBy: holder.who, progress: null }
}

/** A failure's reason in words; an unexpected error's details stay in the log. */
export function failure(err: unknown, log: Logger): JobOutcome {
  if (isAppError(err)) return { ok: false, reason: err.message }
  log.error({ err }, 'snapshot job failed unexpectedly')
  return { ok: false, reason: 'an unexpected error (see the server log)' }
}

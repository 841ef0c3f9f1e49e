import { randomBytes } from 'node:crypto'
import type { Config } from '../../config/load-config.js'
import { isAppError } from '../../errors.js'
import type { Logger } from '../../logger.js'
import type { SnapshotStorage } from '../../storage/storage.js'
import { failure } from '../in-process-jobs.js'
import { isLive, readJobState } from '../job-state.js'
import type { JobOutcome, JobStatus, Jobs, RunningJob } from '../jobs.js'
import { runningJobOf, sharedStatus } from '../shared-status.js'

export interface RemoteJobsOptions {
  config: Config
  storage: SnapshotStorage
  log: Logger
  /** Start the run elsewhere; resolves once it is started, with its outcome to come. */
  launch: (run: { runId: string; startedBy: string; signal: AbortSignal }) => Promise<{
    done: Promise<JobOutcome>
  }>
  now?: () => Date
}

/**
 * Jobs whose snapshots run elsewhere (a Lambda, a container). This process only
 * launches them and reads their progress from storage; the runner's pipeline
 * takes the source lock, so a second start anywhere is refused there too.
 */
export function createRemoteJobs(options: RemoteJobsOptions): Jobs {
  const { config, storage } = options
  const now = options.now ?? (() => new Date())
  let waiting: { job: RunningJob; stop: AbortController; done: Promise<JobOutcome> } | null = null
  let last: JobStatus['last'] = null

  return {
    async start(requester) {
      if (waiting) return { started: false, running: waiting.job }
      const job: RunningJob = { startedAt: now(), startedBy: requester, progress: null }
      const stop = new AbortController()
      // Claimed before any await: two requests arriving together cannot both launch.
      const claim = { job, stop, done: Promise.resolve<JobOutcome>({ ok: false, reason: '' }) }
      waiting = claim
      try {
        const state = await readJobState(storage).catch(() => null)
        if (state && isLive(state, now(), config.jobs.progressSeconds)) {
          waiting = null
          return { started: false, running: runningJobOf(state) }
        }
        const runId = `${now().getTime().toString(36)}-${randomBytes(4).toString('hex')}`
        const launched = await options.launch({ runId, startedBy: requester, signal: stop.signal })
        claim.done = launched.done
      } catch (err) {
        claim.done = Promise.resolve(failure(err, options.log))
        if (!isAppError(err)) options.log.error({ err }, 'could not start the runner')
      }
      const done = claim.done.then((outcome) => {
        last = { ...outcome, startedBy: requester, finishedAt: now() }
        if (waiting === claim) waiting = null
        return outcome
      })
      return { started: true, job, done }
    },
    status: () => sharedStatus(config, storage, { running: null, last }, now()),
    async stop() {
      waiting?.stop.abort()
      await waiting?.done
    },
  }
}

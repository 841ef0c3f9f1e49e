import type { Config } from '../config/load-config.js'
import type { SnapshotStorage } from '../storage/storage.js'
import { isLive, type JobState, readJobState } from './job-state.js'
import type { JobOutcome, JobStatus, RunningJob } from './jobs.js'

/** A job state from storage as the Slack app shows a running job. */
export function runningJobOf(state: JobState): RunningJob {
  return {
    startedAt: new Date(state.startedAt),
    startedBy: state.startedBy,
    host: state.host,
    progress: {
      tablesDone: state.tablesDone,
      tablesTotal: state.tablesTotal,
      rows: state.rows,
      bytes: state.bytes,
    },
  }
}

/** A finished job state as an outcome; a published snapshot's manifest is read back. */
export async function outcomeOf(
  state: JobState,
  storage: SnapshotStorage,
): Promise<JobOutcome | null> {
  if (state.state === 'failed') return { ok: false, reason: state.reason ?? 'unknown reason' }
  if (state.state !== 'succeeded' || !state.snapshotId) return null
  const manifest = await storage.getManifest(state.snapshotId).catch(() => null)
  return manifest ? { ok: true, manifest } : null
}

/**
 * What every replica answers to `/dump status`: the job in `jobs/current.json`
 * (running while it keeps writing; else the last outcome), with what this
 * process knows first. An unreadable storage leaves the local view.
 */
export async function sharedStatus(
  config: Config,
  storage: SnapshotStorage,
  local: { running: RunningJob | null; last: JobStatus['last'] },
  now: Date,
): Promise<JobStatus> {
  const state = await readJobState(storage).catch(() => null)
  if (local.running || !state) return { running: local.running, last: local.last, nextRun: null }
  if (isLive(state, now, config.jobs.progressSeconds)) {
    return { running: runningJobOf(state), last: local.last, nextRun: null }
  }
  const outcome = await outcomeOf(state, storage)
  const last = outcome
    ? { ...outcome, startedBy: state.startedBy, finishedAt: new Date(state.updatedAt) }
    : local.last
  return { running: null, last, nextRun: null }
}

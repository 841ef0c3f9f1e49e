import { setTimeout as sleep } from 'node:timers/promises'
import type { Config } from '../../config/load-config.js'
import type { SnapshotStorage } from '../../storage/storage.js'
import { isLive, readJobState } from '../job-state.js'
import type { JobOutcome } from '../jobs.js'
import { outcomeOf } from '../shared-status.js'

export interface WaitForRunOptions {
  config: Config
  storage: SnapshotStorage
  runId: string
  /** Give up after this long (a Lambda lives at most 15 minutes). */
  timeoutMs: number
  /** How long the run may take to appear before another live job is blamed. */
  appearMs?: number
  signal?: AbortSignal
  now?: () => Date
}

/**
 * The outcome of a run that executes elsewhere (a Lambda, a container), read
 * from `jobs/current.json` until that run id finishes.
 */
export async function waitForRun(options: WaitForRunOptions): Promise<JobOutcome> {
  const now = options.now ?? (() => new Date())
  const started = now().getTime()
  const everyMs = Math.max(200, Math.min(5000, options.config.jobs.progressSeconds * 1000))
  const appearMs = options.appearMs ?? 120_000
  while (now().getTime() - started < options.timeoutMs) {
    if (options.signal?.aborted) {
      return { ok: false, reason: 'this server stopped waiting for the run (it may still finish)' }
    }
    const state = await readJobState(options.storage).catch(() => null)
    if (state?.runId === options.runId && state.state !== 'running') {
      const outcome = await outcomeOf(state, options.storage)
      if (outcome) return outcome
    }
    if (
      state &&
      state.runId !== options.runId &&
      isLive(state, now(), options.config.jobs.progressSeconds) &&
      now().getTime() - started > appearMs
    ) {
      return {
        ok: false,
        reason: `another snapshot was running (started by ${state.startedBy} on ${state.host} at ${state.startedAt}), so this one did not start.`,
      }
    }
    await sleep(everyMs, undefined, { signal: options.signal }).catch(() => {})
  }
  return {
    ok: false,
    reason: `no result from the runner within ${Math.round(options.timeoutMs / 60_000)} minutes; see its logs.`,
  }
}

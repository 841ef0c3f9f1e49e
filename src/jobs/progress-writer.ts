import type { Logger } from '../logger.js'
import type { SnapshotStorage } from '../storage/storage.js'
import { currentJobObject, type JobState } from './job-state.js'

export interface ProgressWriter {
  /** Change the state in memory; it reaches storage at the next tick. */
  update(change: Partial<JobState>): void
  /** The state as last updated. */
  current(): JobState
  /** Write the final state at once and stop ticking. */
  finish(change: Partial<JobState>): Promise<void>
}

/**
 * Writes `jobs/current.json` now, then every `intervalMs` while something changed.
 * A failed write is logged and retried at the next tick; it never fails the job.
 */
export function createProgressWriter(
  storage: SnapshotStorage,
  initial: JobState,
  intervalMs: number,
  log: Logger,
  now: () => Date = () => new Date(),
): ProgressWriter {
  let state = initial
  let dirty = true
  let writing: Promise<void> = Promise.resolve()
  const started = new Date(initial.startedAt).getTime()

  const write = () => {
    if (!dirty) return writing
    dirty = false
    const at = now()
    state = { ...state, updatedAt: at.toISOString(), elapsedMs: at.getTime() - started }
    const body = `${JSON.stringify(state)}\n`
    writing = writing
      .then(() => storage.putJobObject(currentJobObject, body))
      .catch((err: Error) => {
        dirty = true
        log.warn({ name: err.name, message: err.message }, 'could not write the job progress')
      })
    return writing
  }
  const timer = setInterval(() => {
    // A running job keeps its updatedAt fresh, so replicas know it is alive.
    dirty = true
    void write()
  }, intervalMs)
  timer.unref()
  void write()

  return {
    update(change) {
      state = { ...state, ...change }
      dirty = true
    },
    current: () => state,
    async finish(change) {
      clearInterval(timer)
      state = { ...state, ...change }
      dirty = true
      await write()
    },
  }
}

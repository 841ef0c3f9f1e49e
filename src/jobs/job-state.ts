import type { SnapshotStorage } from '../storage/storage.js'

/** The object every replica reads for `/dump status`: `jobs/current.json` in the storage. */
export const currentJobObject = 'current.json'

/**
 * The last or running snapshot job, as written to storage every few seconds.
 * Never holds a secret, a link or a row value.
 */
export interface JobState {
  /** Unique per run; a runner that started a job elsewhere (Lambda) waits for its own. */
  runId: string
  state: 'running' | 'succeeded' | 'failed'
  startedBy: string
  /** The machine the job runs on. */
  host: string
  startedAt: string
  /** When this object was last written; a running job not updated for long has died. */
  updatedAt: string
  phase: 'lock' | 'schema' | 'data' | 'post-data' | 'verify' | 'publish' | 'done'
  tablesDone: number
  tablesTotal: number
  rows: number
  bytes: number
  elapsedMs: number
  /** Once published. */
  snapshotId?: string
  /** Why it failed, in words meant for people. */
  reason?: string
}

export async function readJobState(storage: SnapshotStorage): Promise<JobState | null> {
  const text = await storage.readJobObject(currentJobObject)
  if (text === null) return null
  try {
    const state = JSON.parse(text) as Partial<JobState>
    return typeof state.runId === 'string' && typeof state.state === 'string'
      ? (state as JobState)
      : null
  } catch {
    return null
  }
}

/**
 * A running job that has not written for this long is taken for dead (its process
 * crashed or was killed): status stops calling it running.
 */
export function staleAfterMs(progressSeconds: number): number {
  return Math.max(30_000, progressSeconds * 1000 * 4)
}

export function isLive(state: JobState, now: Date, progressSeconds: number): boolean {
  return (
    state.state === 'running' &&
    now.getTime() - new Date(state.updatedAt).getTime() < staleAfterMs(progressSeconds)
  )
}

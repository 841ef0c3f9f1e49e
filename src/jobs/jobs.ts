import type { Manifest } from '../snapshot/manifest.js'

/**
 * Snapshot jobs as the Slack app sees them: start one unless one is running, and
 * tell what is going on. Small on purpose: issue 6 adds the cross-process lock and
 * the schedule behind the same interface.
 */
export interface Jobs {
  /** Start a snapshot for `requester` (a Slack user id, or `schedule`), unless one is running. */
  start(requester: string): Promise<StartResult>
  status(): Promise<JobStatus>
  /** Abort a running job (shutdown) and wait until it has cleaned up. */
  stop(): Promise<void>
}

export type StartResult =
  | { started: true; job: RunningJob; done: Promise<JobOutcome> }
  | { started: false; running: RunningJob }

export interface RunningJob {
  startedAt: Date
  /** Who asked for it: a Slack user id, or `schedule`. */
  startedBy: string
  /** The machine it runs on, when known (another replica, a Lambda, a container). */
  host?: string
  progress: JobProgress | null
}

export interface JobProgress {
  tablesDone: number
  tablesTotal: number
  rows: number
  bytes: number
}

/** A failure's reason is meant for people (e.g. the unclassified columns); never a secret. */
export type JobOutcome = { ok: true; manifest: Manifest } | { ok: false; reason: string }

export interface JobStatus {
  running: RunningJob | null
  last: (JobOutcome & { startedBy: string; finishedAt: Date }) | null
  /** The next scheduled run, once a schedule exists. */
  nextRun: Date | null
}

/**
 * The closed set of error codes Dumpling reports. Each maps to one exit code
 * (see `exitCodeFor`), so scripts can tell a bad config from a failed dump.
 */
export type ErrorCode =
  | 'config_invalid'
  | 'rules_invalid'
  | 'rules_incomplete'
  | 'missing_secret'
  | 'source_unreachable'
  | 'pg_dump_missing'
  | 'pg_dump_too_old'
  | 'dump_failed'
  | 'output_exists'
  | 'leak_found'
  | 'rules_file_exists'
  | 'interrupted'
  | 'usage'
  | 'listen_failed'
  | 'restore_refused'
  | 'snapshot_invalid'
  | 'target_busy'
  | 'target_unreachable'
  | 'restore_failed'
  | 'extension_missing'
  | 'snapshot_not_found'
  | 'storage_bucket_missing'
  | 'storage_access_denied'
  | 'storage_wrong_region'
  | 'storage_unreachable'
  | 'snapshot_unknown'
  | 'no_snapshot'
  | 'checksum_mismatch'
  | 'audit_failed'
  | 'storage_failed'
  | 'job_running'
  | 'verify_failed'
  | 'verify_unavailable'
  | 'runner_failed'
  | 'lock_lost'

/** Exit codes, documented in the README. */
export const exitCodes = {
  usage: 2,
  config_invalid: 3,
  rules_invalid: 3,
  missing_secret: 3,
  rules_incomplete: 4,
  source_unreachable: 5,
  pg_dump_missing: 6,
  pg_dump_too_old: 6,
  dump_failed: 7,
  output_exists: 8,
  leak_found: 9,
  rules_file_exists: 10,
  storage_bucket_missing: 11,
  storage_access_denied: 12,
  storage_wrong_region: 13,
  storage_unreachable: 14,
  snapshot_unknown: 15,
  no_snapshot: 16,
  checksum_mismatch: 17,
  audit_failed: 18,
  storage_failed: 19,
  restore_refused: 20,
  snapshot_invalid: 21,
  target_busy: 22,
  target_unreachable: 23,
  restore_failed: 24,
  extension_missing: 25,
  snapshot_not_found: 26,
  listen_failed: 30,
  job_running: 40,
  verify_failed: 41,
  verify_unavailable: 42,
  runner_failed: 43,
  lock_lost: 44,
  interrupted: 130,
} as const satisfies Record<ErrorCode, number>

/** An error meant for a person: the message names the subject and the fix. */
export class AppError extends Error {
  override readonly name = 'AppError'
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError
}

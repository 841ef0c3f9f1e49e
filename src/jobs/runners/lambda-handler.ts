import { loadConfig } from '../../config/load-config.js'
import { isAppError } from '../../errors.js'
import { createLogger } from '../../logger.js'
import { createStorage } from '../../storage/create-storage.js'
import { createVerifiers } from '../create-verifiers.js'
import { runSnapshotJob } from '../snapshot-job.js'
import type { LambdaJobEvent } from './lambda-jobs.js'

/** The part of the Lambda context the handler uses. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number
}

export type LambdaResult = { ok: true; snapshotId: string } | { ok: false; reason: string }

/** Stop this long before Lambda's hard limit, so the lock is released and the failure recorded. */
const marginMs = 30_000

/**
 * `dumpling/lambda`: the handler of `runner: lambda`. It loads the same config
 * from the environment (DUMPLING_CONFIG, the secrets) and runs the same publish
 * pipeline as `dumpling snapshot`. A failure is returned, not thrown, so Lambda
 * does not retry a snapshot that would fail again; it is in jobs/current.json.
 */
export async function handler(
  event: Partial<LambdaJobEvent> | null,
  context?: LambdaContext,
): Promise<LambdaResult> {
  const config = loadConfig()
  const log = createLogger({ level: config.logLevel })
  const remaining = context?.getRemainingTimeInMillis()
  const signal =
    remaining === undefined ? undefined : AbortSignal.timeout(Math.max(1000, remaining - marginMs))
  try {
    const { manifest } = await runSnapshotJob({
      config,
      storage: createStorage(config, log),
      log,
      startedBy: event?.startedBy ?? 'lambda',
      verifiers: createVerifiers(config),
      ...(event?.runId ? { runId: event.runId } : {}),
      ...(signal ? { signal } : {}),
    })
    return { ok: true, snapshotId: manifest.id }
  } catch (err) {
    if (isAppError(err)) return { ok: false, reason: err.message }
    log.error({ err }, 'snapshot Lambda failed unexpectedly')
    return { ok: false, reason: 'an unexpected error (see the function log)' }
  }
}

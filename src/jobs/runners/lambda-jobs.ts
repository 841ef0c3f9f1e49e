import type { LambdaClient } from '@aws-sdk/client-lambda'
import type { Config } from '../../config/load-config.js'
import { AppError } from '../../errors.js'
import type { Logger } from '../../logger.js'
import type { SnapshotStorage } from '../../storage/storage.js'
import type { Jobs } from '../jobs.js'
import { createRemoteJobs } from './remote-jobs.js'
import { waitForRun } from './wait-for-run.js'

/** What the Lambda handler receives (`dumpling/lambda`). */
export interface LambdaJobEvent {
  startedBy: string
  runId: string
}

/** A Lambda runs at most 15 minutes; the outcome is awaited a little longer. */
const lambdaLimitMs = 16 * 60_000

type LambdaRunner = Extract<Config['runner'], { kind: 'lambda' }>
type LambdaSdk = typeof import('@aws-sdk/client-lambda')

/**
 * `runner: lambda`: `/dump refresh` and the schedule invoke the function
 * asynchronously (InvocationType Event) and follow its progress in storage.
 */
export function createLambdaJobs(options: {
  config: Config
  runner: LambdaRunner
  storage: SnapshotStorage
  log: Logger
  now?: () => Date
}): Jobs {
  const { config, runner, storage, log } = options
  let lambda: Promise<{ sdk: LambdaSdk; client: LambdaClient }> | null = null
  return createRemoteJobs({
    config,
    storage,
    log,
    ...(options.now ? { now: options.now } : {}),
    async launch({ runId, startedBy, signal }) {
      // Loaded on first use, like the S3 client: serve with another runner never pays for it.
      lambda ??= import('@aws-sdk/client-lambda').then((sdk) => ({
        sdk,
        client: new sdk.LambdaClient({
          ...(runner.region ? { region: runner.region } : {}),
          ...(runner.endpoint ? { endpoint: runner.endpoint } : {}),
        }),
      }))
      const { sdk, client } = await lambda
      await invokeAsync(sdk, client, runner.functionName, { startedBy, runId })
      log.info({ functionName: runner.functionName, runId }, 'snapshot Lambda invoked')
      return {
        done: waitForRun({ config, storage, runId, timeoutMs: lambdaLimitMs, signal }),
      }
    },
  })
}

async function invokeAsync(
  sdk: LambdaSdk,
  client: LambdaClient,
  functionName: string,
  event: LambdaJobEvent,
): Promise<void> {
  try {
    const res = await client.send(
      new sdk.InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(event)),
      }),
    )
    if (res.StatusCode !== 202) throw new Error(`status ${res.StatusCode}`)
  } catch (err) {
    const e = err as { name?: string; message?: string }
    throw new AppError(
      'runner_failed',
      `Could not invoke the Lambda function ${functionName}: ${e.name ?? 'Error'}: ${e.message ?? err}. Check runner.functionName, the region, and that this role may lambda:InvokeFunction.`,
      { cause: err },
    )
  }
}

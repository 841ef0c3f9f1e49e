import type { Config } from '../config/load-config.js'
import type { Logger } from '../logger.js'
import type { SnapshotStorage } from '../storage/storage.js'
import { createVerifiers } from './create-verifiers.js'
import { createInProcessJobs } from './in-process-jobs.js'
import type { Jobs } from './jobs.js'
import { createCommandJobs } from './runners/command-jobs.js'
import { createLambdaJobs } from './runners/lambda-jobs.js'

/** The jobs of `runner.kind`: in this process (default), a Lambda, or a command. */
export function createJobs(deps: { config: Config; storage: SnapshotStorage; log: Logger }): Jobs {
  const runner = deps.config.runner
  switch (runner.kind) {
    case 'inprocess':
      return createInProcessJobs({ ...deps, verifiers: createVerifiers(deps.config) })
    case 'lambda':
      return createLambdaJobs({ ...deps, runner })
    case 'command':
      return createCommandJobs({ ...deps, runner })
  }
}

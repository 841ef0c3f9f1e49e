import { spawn } from 'node:child_process'
import type { Config } from '../../config/load-config.js'
import { AppError } from '../../errors.js'
import type { Logger } from '../../logger.js'
import { scrubSecrets } from '../../slack/scrub-secrets.js'
import type { SnapshotStorage } from '../../storage/storage.js'
import type { JobOutcome, Jobs } from '../jobs.js'
import { createRemoteJobs } from './remote-jobs.js'

type CommandRunner = Extract<Config['runner'], { kind: 'command' }>

/**
 * `runner: command`: run the configured program (no shell), e.g. one that starts
 * a Kubernetes Job or an ECS task running `dumpling snapshot`, and report its
 * exit. It inherits this process's environment.
 */
export function createCommandJobs(options: {
  config: Config
  runner: CommandRunner
  storage: SnapshotStorage
  log: Logger
}): Jobs {
  const { runner, storage, log } = options
  const [program, ...args] = runner.argv as [string, ...string[]]
  return createRemoteJobs({
    ...options,
    async launch({ signal }) {
      const child = spawn(program, args, {
        stdio: ['ignore', 'ignore', 'pipe'],
        signal,
      })
      let tail = ''
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        tail = (tail + chunk).slice(-2000)
      })
      const exited = new Promise<number | string>((resolve) => {
        child.once('error', (err) => resolve((err as NodeJS.ErrnoException).code ?? err.message))
        child.once('close', (code, sig) => resolve(code ?? sig ?? 'unknown'))
      })
      log.info({ program }, 'snapshot command started')
      const done = exited.then(async (code): Promise<JobOutcome> => {
        if (code === 0) {
          const manifest = await storage.latest()
          if (manifest) return { ok: true, manifest }
          return { ok: false, reason: `${program} exited 0, but the storage holds no snapshot.` }
        }
        const last = scrubSecrets(tail.trim().split('\n').at(-1) ?? '').slice(0, 300)
        return {
          ok: false,
          reason: `${program} (runner.argv) ${typeof code === 'number' ? `exited with code ${code}` : `failed: ${code}`}${last ? `: ${last}` : ''}`,
        }
      })
      // A program that cannot start at all is a start failure, said at once.
      const early = await Promise.race([exited, new Promise((r) => setImmediate(r, null))])
      if (typeof early === 'string' && early.startsWith('E')) {
        throw new AppError(
          'runner_failed',
          `Could not run ${program} (runner.argv): ${early}. Check the path and that it is executable.`,
        )
      }
      return { done }
    },
  })
}

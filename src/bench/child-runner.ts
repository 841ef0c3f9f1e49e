import { type ChildProcess, spawn } from 'node:child_process'
import { basename } from 'node:path'

export interface ChildResult {
  /** Wall time from spawn to exit, in milliseconds. */
  ms: number
  stderr: string
}

/** Runs the bench's commands and remembers them, so Ctrl-C can end whatever still runs. */
export interface ChildRunner {
  /** Run to completion; rejects with the command's stderr when it fails. */
  run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<ChildResult>
  /** SIGTERM every command still running. */
  killAll(): void
}

export function createChildRunner(): ChildRunner {
  const running = new Set<ChildProcess>()
  return {
    run(cmd, args, env = {}) {
      return new Promise((resolve, reject) => {
        const started = performance.now()
        const child = spawn(cmd, args, {
          env: { ...process.env, ...env },
          stdio: ['ignore', 'ignore', 'pipe'],
        })
        running.add(child)
        let stderr = ''
        child.stderr?.on('data', (chunk: Buffer) => {
          // The tail is what explains a failure; keep memory bounded.
          stderr = (stderr + chunk.toString('utf8')).slice(-20_000)
        })
        child.on('error', (err) => {
          running.delete(child)
          reject(err)
        })
        child.on('close', (code, signal) => {
          running.delete(child)
          const ms = performance.now() - started
          if (code === 0) resolve({ ms, stderr })
          else {
            const how = signal ? `was killed by ${signal}` : `exited with code ${code}`
            reject(
              new Error(
                `${basename(cmd)} ${args.slice(0, 3).join(' ')}… ${how}:\n${stderr.trim()}`,
              ),
            )
          }
        })
      })
    },
    killAll() {
      for (const child of running) child.kill('SIGTERM')
    },
  }
}

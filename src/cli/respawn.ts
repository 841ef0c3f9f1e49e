import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import type { Cli } from './cli.js'

/** The signals passed on to the respawned process; each stops `dumpling serve` gracefully (serve.ts). */
const passedOn = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const

/**
 * Run this command again in a new Node process without `flag`, and wait for it: its exit
 * code is ours (128 + the signal's number when a signal ended it).
 *
 * - The child runs in a process group of its own, so a Ctrl-C reaches it once, passed on
 *   from here like SIGTERM and SIGHUP (a second Ctrl-C still ends it at once).
 * - Its stdout and stderr are ours; it reads nothing from stdin.
 * - An IPC channel ties it to this process: should this one die without passing a
 *   signal on (SIGKILL), the child sees the channel close and stops as on SIGTERM
 *   (`parentGone` below), instead of serving on unseen.
 */
export function respawnWithout(flag: string, cli: Pick<Cli, 'stderr'>): Promise<number> {
  const args = [...process.execArgv.filter((f) => f !== flag), ...process.argv.slice(1)]
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const passOn = (signal: NodeJS.Signals) => child.kill(signal)
  for (const signal of passedOn) process.on(signal, passOn)
  const done = () => {
    for (const s of passedOn) process.off(s, passOn)
  }
  return new Promise((resolve) => {
    // Also emitted when a kill() fails; only a child that never started ends the wait here.
    child.on('error', (err) => {
      if (child.pid !== undefined) return
      done()
      cli.stderr.write(`dumpling: could not start ${process.execPath}: ${err.message}\n`)
      resolve(1)
    })
    // The code it told us it was exiting with: a signal may still end it as Node exits.
    let told: number | null = null
    child.on('message', (message: { exitCode?: unknown }) => {
      if (typeof message?.exitCode === 'number') told = message.exitCode
    })
    child.once('exit', (code, signal) => {
      done()
      resolve(code ?? told ?? 128 + (signal ? constants.signals[signal] : 0))
    })
  })
}

/**
 * In a process `respawnWithout` started: calls `stop` once the process that started it
 * is gone. The channel does not keep this process alive.
 */
export function parentGone(stop: () => void): void {
  const channel = process.channel
  if (!channel) return
  channel.unref()
  process.once('disconnect', stop)
}

/** In a process `respawnWithout` started: tells it the exit code this process is about to exit with. */
export function tellParentExitCode(code: number): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve()
    process.send({ exitCode: code }, () => resolve())
  })
}

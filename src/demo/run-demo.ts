import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Cli } from '../cli/cli.js'
import { AppError } from '../errors.js'
import { createDemoOutput } from './demo-output.js'
import { requirePrograms } from './demo-servers.js'
import { runSteps } from './demo-steps.js'
import { createTeardown } from './teardown.js'
import { untilAborted } from './until-aborted.js'

export const demoHelp = `Usage: dumpling demo

The whole loop on this machine in one command, with no configuration, Slack
workspace or AWS account: a throwaway PostgreSQL server with a small
"production" database; dumpling init and check; a snapshot into a local folder
with a generated key; dumpling serve answering a signed /dump latest from a
local stand-in for Slack; the link downloaded and loaded by dumpling restore
into a second server; and rows from both side by side, with the audit record.
Everything it starts or writes is removed at the end, also on Ctrl-C (exit 130).
Needs PostgreSQL's server programs (initdb, pg_ctl, postgres, pg_dump).`

/** `dumpling demo`: returns the exit code; an interrupt ends it with AppError `interrupted`. */
export async function runDemo(cli: Cli): Promise<number> {
  requirePrograms(cli.env)
  const started = performance.now()
  const out = createDemoOutput(cli.stdout)
  const teardown = createTeardown()
  const interrupt = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) return // already stopping; a second Ctrl-C must not cut it short
    out.say(`\n${signal}: stopping everything the demo started…`)
    interrupt.abort(
      new AppError(
        'interrupted',
        'Interrupted: the demo stopped everything it started and removed its files.',
      ),
    )
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  let inFlight: Promise<unknown> = Promise.resolve()
  const step = <T>(work: Promise<T>) => {
    inFlight = work
    return untilAborted(work, interrupt.signal)
  }
  let work = ''
  try {
    work = await mkdtemp(join(tmpdir(), 'dumpling-demo-'))
    const folder = work
    teardown.defer(() => rm(folder, { recursive: true, force: true }))
    await runSteps({ cli, out, teardown, work, step })
  } catch (err) {
    if (!interrupt.signal.aborted) throw err
    // The step in flight ends first (commands stop at the signal themselves), so it
    // cannot write into the folder after it is removed; never wait long for it.
    await settled(inFlight, 10_000)
    throw interrupt.signal.reason
  } finally {
    await teardown.close()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }

  out.step(7, 'Stopped dumpling serve, the Slack stand-in and both servers')
  out.say(
    `Removed ${work} and the servers' folders. Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  )
  out.say()
  out.say(nextSteps)
  return 0
}

/** Wait until `work` settles, but no longer than `ms`. */
async function settled(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([work.catch(() => {}), new Promise((r) => (timer = setTimeout(r, ms)))])
  clearTimeout(timer)
}

const nextSteps = `Next, with your own database (README, "Quickstart"):
  1. Point DUMPLING_SOURCE_URL at a read replica or a read-only role, and make a key:
       export DUMPLING_SOURCE_URL='postgres://dumpling_ro@replica.internal:5432/app'
       export DUMPLING_ANON_KEY="$(openssl rand -base64 48)"
  2. Run dumpling init, review every rule it writes, then dumpling check.
  3. Create the Slack app from manifest.yml (README, "Slack app") and run dumpling serve.`

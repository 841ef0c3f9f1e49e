import type { DestinationStream } from 'pino'
import { createAuditWriter } from '../audit/audit-writer.js'
import { loadConfig, requireLinkSecret } from '../config/load-config.js'
import { createJobs } from '../jobs/create-jobs.js'
import { createSchedule, withSchedule } from '../jobs/schedule.js'
import { createLogger } from '../logger.js'
import { createSlackApp, type SlackServer } from '../slack/create-slack-app.js'
import { createPhaseRecorder } from '../slack/phase-recorder.js'
import { postScheduledRun } from '../slack/post-scheduled-run.js'
import { createStorage } from '../storage/create-storage.js'
import { createDownloadHandler } from '../storage/download-handler.js'
import type { Cli } from './cli.js'
import { tellParentExitCode } from './respawn.js'
import { stopRequests } from './stop-requests.js'

export const serveHelp = `Usage: dumpling serve [--config FILE]

Run the Slack app until SIGTERM, SIGINT or SIGHUP. HTTP mode: /dump commands at
POST /slack/events on PORT (default 3000), every request's signature checked with
SLACK_SIGNING_SECRET. Socket Mode when SLACK_APP_TOKEN is set. Both serve
GET /healthz, GET /readyz and, for local storage, the /download/… links.

Needs SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (HTTP mode), the slack: section of
dumpling.yml (README, "Slack app"), and for /dump refresh DUMPLING_SOURCE_URL and
DUMPLING_ANON_KEY. With schedule: in dumpling.yml it also takes snapshots on that
schedule; runner: says where they run (README, "Snapshot jobs"). Logs are JSON lines
on stdout (LOG_LEVEL, default info).`

/** `dumpling serve`: wire the parts, listen, and stop cleanly on a signal. */
export async function serve(cli: Cli, args: { config?: string | undefined }): Promise<number> {
  const config = loadConfig({ path: args.config, env: cli.env })
  const log = createLogger({
    level: config.logLevel,
    destination: cli.stdout as unknown as DestinationStream,
  })
  const storage = createStorage(config, log)
  const routes =
    config.storage.kind === 'local'
      ? [
          {
            path: '/download/:token',
            method: ['GET', 'HEAD'],
            handler: createDownloadHandler({ storage, secret: requireLinkSecret(config), log }),
          },
        ]
      : []
  const jobs = createJobs({ config, storage, log })
  let server: SlackServer | null = null
  const schedule = config.schedule
    ? createSchedule({
        ...config.schedule,
        log,
        fire: () => postScheduledRun(jobs, (text) => server?.postToAuditChannel(text)),
      })
    : null
  // The serve bench's decomposition of each command's time (README, "The Slack app under load").
  const phasesFile = cli.env.DUMPLING_BENCH_PHASES
  const phases = phasesFile ? createPhaseRecorder() : undefined
  server = createSlackApp({
    config,
    storage,
    audit: createAuditWriter({ storage, log }, undefined, phases?.write),
    phases,
    jobs: withSchedule(jobs, schedule),
    log,
    routes,
    linkSeconds: config.links.expiresIn,
  })
  // Listening before the warm-up ends: a signal during start() must shut down gracefully too.
  const stop = stopRequests()
  try {
    const started = server.start()
    // Past the race, stop() waits for start(); its failure is reported by the race itself.
    started.catch(() => {})
    await Promise.race([started, stop.first])
    const signal = await stop.first
    log.info({ signal }, 'shutting down')
    await server.stop()
    if (phasesFile && phases) await phases.save(phasesFile)
    // Stopped: a signal that still comes (passed on by the respawning CLI as well) may
    // end the process while Node exits; the CLI then reports this code all the same.
    await tellParentExitCode(0)
    return 0
  } finally {
    stop.dispose()
  }
}

import { setMaxListeners } from 'node:events'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { App, type CustomRoute, type Receiver, SocketModeReceiver, webApi } from '@slack/bolt'
import type { Config } from '../config/load-config.js'
import { AppError } from '../errors.js'
import type { Jobs } from '../jobs/jobs.js'
import type { Logger } from '../logger.js'
import type { SnapshotStorage } from '../storage/storage.js'
import { createAuditChannel } from './audit-channel.js'
import { createBoltLogger } from './bolt-logger.js'
import { createConcurrencyLimit } from './concurrency-limit.js'
import { createGroupMembers } from './group-members.js'
import { createInFlight } from './in-flight.js'
import { createLatestSnapshot } from './latest-snapshot.js'
import type { DumpCommandDeps, RecordAudit } from './listeners/commands/dump.js'
import { register as registerCommands } from './listeners/commands/index.js'
import type { PhaseRecorder } from './phase-recorder.js'
import { createRateLimit } from './rate-limit.js'
import { rehearse } from './rehearsal.js'
import { createResponseUrlPoster } from './response-url.js'
import { createSeenTriggers } from './seen-triggers.js'
import { SlackReceiver } from './slack-receiver.js'
import { collectGarbage, warmUp } from './warm-up.js'

export interface SlackAppDeps {
  config: Config
  storage: SnapshotStorage
  /** Durable audit write, then log; rejects when the record could not be stored. */
  audit: RecordAudit
  jobs: Jobs
  log: Logger
  /** More HTTP routes on the same server, e.g. the local storage's `/download/…`. */
  routes?: CustomRoute[]
  /** Seconds a link stays valid; default 180. */
  linkSeconds?: number
  now?: () => Date
  /** Bench-only: record each command's step times (`DUMPLING_BENCH_PHASES`). */
  phases?: PhaseRecorder
}

export interface SlackServer {
  /** Listen (HTTP mode: commands, health, routes; Socket Mode: health and routes). */
  start(port?: number): Promise<{ port: number }>
  /** Stop taking requests, abort a running snapshot, finish replies in flight. */
  stop(): Promise<void>
  /** Post a line to the audit channel (scheduled runs); never a link. */
  postToAuditChannel(text: string): void
}

/**
 * Commands worked on at once after their ack: each waits on its audit write and its
 * reply, so this many bounds the throughput (8 held the bench to ~160 a second with
 * the process 30 % idle). It also sets the largest audit group. 32 left 18 of the
 * bench's 50 commands in flight queueing for a slot, and each slot's wait added to the
 * next audit write's: 64 (all 50 of them at once) gave about 15 % more commands a
 * second and a reply p99 about 10 ms lower on a quiet machine, in fewer, larger audit
 * objects (README, "The Slack app under load"). A command now costs about 1 ms of CPU.
 */
const commandsAtOnce = 64

/** How long start() waits for the warm-up and the rehearsal (one to two seconds on this machine); then they are cut short. */
const warmUpMs = 10_000

/** How long shutdown waits for replies still being written. */
const drainMs = 10_000

/**
 * The Bolt app behind `dumpling serve`. HTTP mode verifies every request's signature
 * with the signing secret in our lean receiver (401 before Bolt or any listener runs);
 * Socket Mode is used when an app token is configured. developerMode is never on: it logs bodies.
 */
export function createSlackApp(deps: SlackAppDeps): SlackServer {
  const { config, storage, jobs } = deps
  const log = deps.log.child({ module: 'slack' })
  const { botToken, signingSecret, appToken, apiUrl } = config.slack
  if (!botToken) {
    throw new AppError(
      'missing_secret',
      'SLACK_BOT_TOKEN is not set. Install the app to your workspace (README, "Slack app") and export its bot token (xoxb-…).',
    )
  }
  if (!appToken && !signingSecret) {
    throw new AppError(
      'missing_secret',
      'SLACK_SIGNING_SECRET is not set. Copy it from the app\'s "Basic Information" page, or set SLACK_APP_TOKEN to use Socket Mode.',
    )
  }
  const boltLogger = createBoltLogger(log)
  const clientOptions: webApi.WebClientOptions = {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    logger: boltLogger,
    timeout: 5000,
    retryConfig: { retries: 2, factor: 2, minTimeout: 200 },
  }
  /** Ready once start() has warmed the command path (HTTP mode), until stop(). */
  let state: 'starting' | 'ready' | 'shutting down' = 'starting'
  /** start() until it has listened and warmed up; stop() waits for it. */
  let starting: Promise<{ port: number }> | null = null
  const warming = new AbortController()
  // The warm-up's 25 parallel requests each listen on it: more than Node's default of 10.
  setMaxListeners(64, warming.signal)
  /** Requests Bolt is still working on (their replies), so that stop() can wait for them. */
  const inFlight = createInFlight()
  const track = inFlight.track
  const routes: CustomRoute[] = [
    { path: '/healthz', method: ['GET'], handler: (_req, res) => json(res, 200, { ok: true }) },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) =>
        void readiness(storage, () => state, log).then((r) => json(res, r.status, r.body)),
    },
    ...(deps.routes ?? []),
  ]
  const receiver: Receiver = appToken
    ? new SocketModeReceiver({
        appToken,
        logger: boltLogger,
        customRoutes: routes,
        installerOptions: { port: config.slack.port, clientOptions },
      })
    : new SlackReceiver({
        signingSecret: signingSecret ?? '',
        log,
        routes,
        track,
        phases: deps.phases,
      })
  const quietLogger = createBoltLogger(log.child({}, { level: 'silent' }) as Logger)
  /**
   * The Bolt app; the start-up rehearsal builds a second one the same way (rehearsal.ts),
   * with a made-up bot token and a logger that writes nothing.
   */
  const newApp = (receiver: Receiver, rehearsal = false) =>
    new App({
      receiver,
      authorize: async () => ({ botToken: rehearsal ? 'xoxb-rehearsal' : botToken }),
      logger: rehearsal ? quietLogger : boltLogger,
      clientOptions: rehearsal ? { ...clientOptions, logger: quietLogger } : clientOptions,
      developerMode: false,
      // Bolt's ignoreSelf drops events the app's own bot user sent. Only slash commands are
      // registered, which a bot cannot send; skipping it (and keeping our own tracking out
      // of Bolt's middleware) took Bolt's CPU per command from about 60 to 25 µs.
      ignoreSelf: false,
      // Commands need no conversation state; the default store costs a lookup per request.
      convoStore: false,
    })
  const app = newApp(receiver)
  if (appToken) {
    // Socket Mode: Bolt's receiver, so the work in flight is tracked as middleware.
    app.use(async ({ next }) => {
      await track(next())
    })
  }
  app.error(async (err) => {
    log.error({ code: (err as { code?: string }).code, name: err.name }, 'Bolt reported an error')
  })

  const client = new webApi.WebClient(botToken, clientOptions)
  const auditChannel = createAuditChannel(client, config.slack.auditChannel, log)
  const responses = createResponseUrlPoster()
  const latest = createLatestSnapshot(storage)
  const linkSeconds = deps.linkSeconds ?? 180
  const commands: DumpCommandDeps = {
    config,
    storage,
    recordAudit: deps.audit,
    latest,
    jobs,
    log,
    groups: createGroupMembers(client, log),
    auditChannel,
    responses,
    rateLimit: createRateLimit(config.slack.rateLimit.linksPerUserPerHour),
    seen: createSeenTriggers(),
    limit: createConcurrencyLimit(commandsAtOnce),
    linkSeconds,
    now: deps.now ?? (() => new Date()),
    phases: deps.phases,
    track,
  }
  registerCommands(app, commands)

  return {
    postToAuditChannel: (text) => auditChannel.post(text),
    start(port = config.slack.port) {
      starting = (async () => {
        let server: unknown
        try {
          server = await app.start(port)
        } catch (err) {
          throw new AppError(
            'listen_failed',
            `Could not listen on port ${port}: ${(err as Error).message}. Set PORT to a free port.`,
            { cause: err },
          )
        }
        const address = appToken ? null : ((server as Server).address() as AddressInfo | null)
        const mode = appToken ? 'socket mode' : 'http'
        if (address) {
          const t0 = performance.now()
          // A storage that does not answer delays readiness by this much at most; stop() or
          // the time limit cut the warm-up and the rehearsal short (no command is sent after).
          const { signal } = warming
          const cut = AbortSignal.any([signal, AbortSignal.timeout(warmUpMs)])
          const stopped = new Promise<null>((resolve) =>
            signal.addEventListener('abort', () => resolve(null), { once: true }),
          )
          let rehearsed: { commands: number; replies: number; posts: number } | null = null
          const failed = await withTimeout(
            Promise.race([
              warmUp({ port: address.port, storage, latest, linkSeconds, signal: cut }).then(
                (failed) =>
                  failed ??
                  rehearse({
                    commands,
                    newApp: (r) => newApp(r, true),
                    signal: cut,
                  }).then(
                    (done) => {
                      rehearsed = done
                      return null
                    },
                    (err: Error) => err,
                  ),
              ),
              stopped,
            ]),
            warmUpMs,
            () => new Error('warm-up timed out'),
          ).catch((err: Error) => err)
          const ms = Math.round(performance.now() - t0)
          if (signal.aborted) log.debug({ ms }, 'warm-up cut short by stop')
          else if (failed) log.warn({ name: failed.name, ms }, 'warm-up failed; serving cold')
          else {
            // The warm-up's garbage, collected before traffic rather than during it.
            const collected = collectGarbage()
            log.debug({ ms, rehearsed, collected }, 'warmed up')
          }
        }
        // stop() may have come during the warm-up: then it stays shutting down.
        if (state !== 'starting') return { port: address?.port ?? port }
        state = 'ready'
        log.info({ port: address?.port ?? port, mode }, 'dumpling serve is listening')
        return { port: address?.port ?? port }
      })()
      return starting
    },
    async stop() {
      state = 'shutting down'
      // A SIGTERM during the warm-up: stop warming, let start() finish, then stop as usual.
      warming.abort()
      await starting?.catch(() => {})
      await app.stop().catch((err: Error) => log.warn({ name: err.name }, 'receiver stop failed'))
      await jobs.stop()
      // Until the set is empty: a command's work is tracked only once its ack is written
      // (in Socket Mode, after a WebSocket write), which may be after this started.
      const until = performance.now() + drainMs
      while (inFlight.size > 0 && performance.now() < until) {
        await withTimeout(inFlight.current(), until - performance.now())
      }
      await withTimeout(auditChannel.settle(), drainMs)
      responses.close()
      log.info('dumpling serve stopped')
    },
  }
}

async function readiness(
  storage: SnapshotStorage,
  state: () => 'starting' | 'ready' | 'shutting down',
  log: Logger,
): Promise<{ status: number; body: object }> {
  const now = state()
  if (now !== 'ready') return { status: 503, body: { ok: false, reason: now } }
  try {
    await withTimeout(storage.check(), 3000, () => new Error('storage check timed out'))
    return { status: 200, body: { ok: true } }
  } catch (err) {
    log.warn(
      { code: (err as { code?: string }).code, name: (err as Error).name },
      'not ready: storage unreachable',
    )
    return { status: 503, body: { ok: false, reason: 'storage unreachable' } }
  }
}

function json(res: ServerResponse<IncomingMessage>, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

async function withTimeout<T>(
  p: Promise<T>,
  ms: number,
  onTimeout?: () => Error,
): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<undefined>((resolve, reject) => {
    timer = setTimeout(() => (onTimeout ? reject(onTimeout()) : resolve(undefined)), ms)
  })
  try {
    return await Promise.race([p, timeout])
  } finally {
    clearTimeout(timer)
  }
}

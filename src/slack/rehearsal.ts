import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type App, type Receiver, webApi } from '@slack/bolt'
import { Pool } from 'undici'
import { createAuditWriter } from '../audit/audit-writer.js'
import type { Config } from '../config/load-config.js'
import type { Logger } from '../logger.js'
import type { Manifest } from '../snapshot/manifest.js'
import { type AuditChannel, createAuditChannel } from './audit-channel.js'
import { createBoltLogger } from './bolt-logger.js'
import { createConcurrencyLimit } from './concurrency-limit.js'
import { createInFlight, type InFlight } from './in-flight.js'
import type { DumpCommandDeps } from './listeners/commands/dump.js'
import { register as registerCommands } from './listeners/commands/index.js'
import { createRateLimit } from './rate-limit.js'
import { createResponseUrlPoster } from './response-url.js'
import { createSeenTriggers } from './seen-triggers.js'
import { SlackReceiver } from './slack-receiver.js'
import { slackSignature } from './slack-signature.js'

export interface RehearsalDeps {
  /** The real app's deps: the rehearsal shares only what has no side effect (config, links, jobs' code). */
  commands: DumpCommandDeps
  /** A Bolt app built like the real one on the given receiver, with a made-up bot token and a logger that writes nothing. */
  newApp: (receiver: Receiver) => App
  /** Commands sent (default 1,000), 25 at a time. */
  requests?: number
  /** stop() or the warm-up's time limit: no more commands; the ones in flight finish. */
  signal?: AbortSignal
}

/** A snapshot id no snapshot has: links made in the rehearsal point at nothing. */
const nowhereId = '19700101T000000Z-0000'

/** Made-up requesters, as many as a busy workspace might send in a burst. */
const users = Array.from({ length: 100 }, (_, i) => `U0REHEARSAL${String(i).padStart(3, '0')}`)

/**
 * A dress rehearsal of `/dump latest` before `/readyz` says ready, so that V8 has compiled
 * (and optimized) the whole command path before the first burst of real commands instead
 * of during it (README, "The Slack app under load"). A second Bolt app, built like the
 * real one, listens on a loopback port with a signing secret of its own; signed commands
 * go through the same receiver code, Bolt's middleware and the `/dump` listener, and are
 * checked, audited, linked and answered by the same code, with parts that keep
 * everything inside this process:
 * - the audit writer stores nowhere and logs nothing (no record, no log line);
 * - the audit channel's lines go through the Slack Web API client (Node's fetch, loaded
 *   and compiled on its first call: 40-70 ms) to the loopback server below, not to Slack;
 * - the newest snapshot is a made-up one whose id no snapshot has, so each link (signed
 *   by the real storage's code, nothing sent) points at nothing;
 * - the replies go to a loopback server here, which reads and drops them;
 * - made-up team, channel and users, their own rate limit, duplicate memory and work
 *   slots, and a made-up bot token (a `/dump latest` never calls Slack's API);
 * - a logger that writes nothing, for its receiver, its Bolt app and its parts.
 * stop() or the warm-up's time limit stops it sending; what is in flight finishes, and
 * everything it opened is closed. A failure here only costs the warmth.
 */
export async function rehearse(
  deps: RehearsalDeps,
): Promise<{ commands: number; replies: number; posts: number }> {
  const n = deps.requests ?? 1000
  const silent = deps.commands.log.child({}, { level: 'silent' }) as Logger
  let commands = 0
  let replies = 0
  const inFlight = createInFlight()
  const track = inFlight.track
  let posts = 0
  // The replies and, under /api/, the Web API client's calls; each answered as Slack would.
  const sink = createServer((req, res) => {
    req.resume()
    req.once('end', () => {
      if (req.url?.startsWith('/api/')) posts++
      else replies++
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"ok":true}')
    })
  })
  const secret = randomBytes(32).toString('hex')
  const receiver = new SlackReceiver({ signingSecret: secret, log: silent, routes: [], track })
  const responses = createResponseUrlPoster()
  let pool: Pool | null = null
  let auditChannel: AuditChannel | null = null
  let receiving = false
  try {
    // Everything opened here is closed below, whatever fails: a server left listening
    // would keep the process alive after stop().
    const sinkPort = await listenOnLoopback(sink)
    const app = deps.newApp(receiver)
    const client = new webApi.WebClient('xoxb-rehearsal', {
      slackApiUrl: `http://127.0.0.1:${sinkPort}/api/`,
      logger: createBoltLogger(silent),
      retryConfig: { retries: 0 },
      timeout: 5000,
    })
    auditChannel = createAuditChannel(client, 'C0REHEARSAL', silent)
    registerCommands(app, rehearsalDeps(deps.commands, silent, responses, track, auditChannel))
    receiving = true
    const server = await receiver.start(0, '127.0.0.1')
    const open = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, {
      connections: width,
    })
    pool = open
    let next = 0
    const worker = async () => {
      while (next < n && !deps.signal?.aborted) {
        const i = next++
        const body = commandBody(i, `http://127.0.0.1:${sinkPort}/r/${i}`)
        const timestamp = Math.floor(Date.now() / 1000)
        const res = await open.request({
          path: '/slack/events',
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-slack-request-timestamp': String(timestamp),
            'x-slack-signature': slackSignature(secret, timestamp, body),
          },
          body,
        })
        await res.body.dump()
        if (res.statusCode !== 200) throw new Error(`rehearsal command got HTTP ${res.statusCode}`)
        commands++
      }
    }
    await Promise.all(Array.from({ length: width }, worker))
  } finally {
    while (inFlight.size > 0) await inFlight.current()
    await auditChannel?.settle()
    await pool?.close()
    if (receiving) await receiver.stop().catch(() => {})
    responses.close()
    if (sink.listening) await new Promise((resolve) => sink.close(resolve))
  }
  return { commands, replies, posts }
}

/** Commands in flight at once in the rehearsal. */
const width = 25

function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

function rehearsalDeps(
  real: DumpCommandDeps,
  silent: Logger,
  responses: DumpCommandDeps['responses'],
  track: InFlight['track'],
  auditChannel: AuditChannel,
): DumpCommandDeps {
  const config: Config = {
    ...real.config,
    slack: {
      ...real.config.slack,
      teams: ['T0REHEARSAL'],
      channels: ['C0REHEARSAL'],
      allowDirectMessages: false,
      users,
      userGroups: [],
      leads: [],
      leadGroups: [],
    },
  }
  const nowhere = {
    storage: { putAuditObject: async () => {}, describe: () => 'nowhere' },
    log: silent,
  }
  return {
    ...real,
    config,
    recordAudit: createAuditWriter(nowhere),
    latest: { get: async () => madeUpSnapshot(real.now()), forget: () => {} },
    log: silent,
    auditChannel,
    responses,
    rateLimit: createRateLimit(1_000_000),
    seen: createSeenTriggers(),
    // Its own: real commands that come meanwhile never wait behind the rehearsal's.
    limit: createConcurrencyLimit(width),
    phases: undefined,
    track,
  }
}

function madeUpSnapshot(now: Date): Manifest {
  return {
    formatVersion: 1,
    id: nowhereId,
    createdAt: now.toISOString(),
    tool: { name: 'dumpling', version: '0' },
    source: { database: 'rehearsal', serverVersion: '0', systemIdentifier: null },
    schemaFingerprint: '0',
    rulesHash: '0',
    tables: [{ name: 'public.rehearsal', data: 'dump', rows: 1, bytes: 1 }],
    dump: { file: 'dump.sql.gz', compression: 'gzip', bytes: 1, sha256: '0' },
    durationMs: 0,
  }
}

/** A slash command's form, as Slack sends it. */
function commandBody(i: number, responseUrl: string): string {
  return new URLSearchParams({
    token: 'rehearsal',
    team_id: 'T0REHEARSAL',
    team_domain: 'rehearsal',
    channel_id: 'C0REHEARSAL',
    channel_name: 'rehearsal',
    user_id: users[i % users.length] ?? 'U0REHEARSAL',
    user_name: 'rehearsal',
    command: '/dump',
    text: 'latest',
    api_app_id: 'A0REHEARSAL',
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: `rehearsal.${i}.${randomBytes(4).toString('hex')}`,
  }).toString()
}

import { createHash, randomBytes } from 'node:crypto'
import { constants, readFileSync, rmSync } from 'node:fs'
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { parseArgs } from 'node:util'
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { freePort, startServeProcess } from '../slack/serve-process.js'
import { commandBody, signedHeaders, startSlackStandIn } from '../slack/slack-stand-in.js'
import type { Manifest } from '../snapshot/manifest.js'
import { createS3Storage } from '../storage/s3-storage.js'
import { type BenchS3, startBenchS3 } from './bench-s3.js'
import { createRawSender, encodeRequest, type RawSender } from './raw-sender.js'
import { type ReplyCatcher, startReplyCatcher } from './reply-catcher.js'
import { formatPhases } from './serve-phases.js'

export const serveBenchHelp = `Usage: npm run bench -- --serve [--requests N] [--concurrency N] [--warmup N] [--profile DIR]

Starts s3rver with one stored snapshot and a local stand-in for Slack, runs
"dumpling serve" against them, and sends signed "/dump latest" requests. Prints
errors, the slowest ack and the time to the ephemeral reply (p50, p99, max).
Targets: 0 errors, every ack under 3 s, p99 to the reply under 100 ms.
--warmup N sends N requests the same way first (default 0), untimed and not
counted, so that the timed ones reach a warm process as in a long-running server.
--profile DIR writes a CPU profile of "dumpling serve" there.`

/** Tests pick ports with it too. */
export { freePort }

const log = (line: string) => process.stderr.write(`${line}\n`)

interface Result {
  /** The request's number, in the order they were sent. */
  i: number
  ackMs: number
  replyMs: number
  error: string | null
}

/** `npm run bench -- --serve`: returns the exit code. */
export async function runServeBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      serve: { type: 'boolean' },
      requests: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '50' },
      warmup: { type: 'string', default: '0' },
      profile: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    process.stdout.write(`${serveBenchHelp}\n`)
    return 0
  }
  const requests = Number(values.requests)
  const concurrency = Number(values.concurrency)
  const warmup = Number(values.warmup)
  if (
    !(
      Number.isInteger(warmup) &&
      warmup >= 0 &&
      Number.isInteger(requests) &&
      requests > 0 &&
      Number.isInteger(concurrency) &&
      concurrency > 0
    )
  ) {
    process.stderr.write(
      `bench: --requests and --concurrency must be whole numbers above 0, --warmup 0 or more.\n`,
    )
    return 2
  }
  const dir = await mkdtemp(join(tmpdir(), 'dumpling-serve-bench-'))
  const cleanups: Array<() => Promise<unknown>> = [() => rm(dir, { recursive: true, force: true })]
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => {})
  }
  // Ctrl-C or SIGTERM: stop serve and s3rver and remove the folders (s3rver's may be in
  // /dev/shm, which keeps it until reboot), then exit as a signal would.
  const interrupted = (signal: NodeJS.Signals) => {
    process.stderr.write(`\nbench: ${signal}, stopping serve and s3rver…\n`)
    void runCleanups().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  }
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  const removeOnExit = new Set<string>([dir])
  const removeFolders = () => {
    for (const folder of removeOnExit) rmSync(folder, { recursive: true, force: true })
  }
  process.once('exit', removeFolders)
  try {
    const s3Dir = await memoryFolder()
    removeOnExit.add(s3Dir)
    cleanups.unshift(() => rm(s3Dir, { recursive: true, force: true }))
    const s3 = await startBenchS3(s3Dir)
    cleanups.unshift(s3.stop)
    // Slack's Web API (the audit channel's posts) and, apart, the response_urls the replies go to.
    const slack = await startSlackStandIn()
    cleanups.unshift(slack.close)
    const replies = await startReplyCatcher()
    cleanups.unshift(replies.close)
    const users = Array.from({ length: 100 }, (_, i) => `U0BENCH${String(i).padStart(3, '0')}`)
    const configPath = join(dir, 'dumpling.yml')
    await writeFile(
      configPath,
      `rules: { tables: {} }
storage: { kind: s3, bucket: ${s3.bucket}, endpoint: ${s3.endpoint}, forcePathStyle: true, region: us-east-1 }
slack:
  teams: [T0BENCH]
  channels: [C0BENCH]
  users: [${users.join(', ')}]
  auditChannel: C0AUDIT
  rateLimit: { linksPerUserPerHour: 1000 }
`,
    )
    const signingSecret = randomBytes(24).toString('hex')
    const phasesFile = join(dir, 'phases.json')
    const env = {
      ...process.env,
      ...s3.env,
      DUMPLING_CONFIG: configPath,
      SLACK_BOT_TOKEN: `xoxb-0-0-${randomBytes(8).toString('hex')}`,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      LOG_LEVEL: 'warn',
      // Serve records each command's step times (numbers only) and writes them here at exit.
      DUMPLING_BENCH_PHASES: phasesFile,
    }
    await storeOneSnapshot(s3)
    await warmS3(s3)
    const serve = startServeProcess({
      env,
      port: await freePort(),
      nodeArgs: values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [],
      output: 'inherit',
    })
    cleanups.unshift(serve.stop)
    const base = serve.base
    await serve.ready()

    // Every request is signed and encoded before the clock starts (re-signed if it waited
    // over 4 minutes, within Slack's 5). The timing runs from its write to its reply.
    const planned = Array.from({ length: warmup + requests }, (_, i) =>
      planRequest(replies, signingSecret, users[i % users.length] ?? 'U0', i),
    )
    const sender = createRawSender(Number(new URL(base).port))
    cleanups.unshift(async () => sender.close())
    const toServe = (p: Planned) => sender.send(freshRequest(p, signingSecret))
    await warmGenerator(replies, signingSecret, concurrency)
    /** Sends requests [from, to) of the plan, `concurrency` at a time. */
    const send = async (from: number, to: number) => {
      const results: Result[] = []
      let next = from
      const worker = async () => {
        while (next < to) {
          const i = next++
          results.push(await oneRequest(toServe, replies, planned[i] as Planned, i - from))
        }
      }
      await Promise.all(Array.from({ length: concurrency }, worker))
      return results
    }
    let warmupErrors = 0
    if (warmup > 0) {
      log(`Warm-up: ${warmup} signed /dump latest requests, ${concurrency} at a time, not timed…`)
      warmupErrors = (await send(0, warmup)).filter((r) => r.error !== null).length
    }
    log(`Serve: ${requests} signed /dump latest requests, ${concurrency} at a time…`)
    const cpu0 = {
      serve: cpuMsOf(serve.pid),
      s3: cpuMsOf(s3.pid),
      own: process.cpuUsage(),
      load: loadavg()[0] ?? Number.NaN,
    }
    const t0 = performance.now()
    const windowStart = performance.timeOrigin + t0
    const results = await send(warmup, warmup + requests)
    const seconds = (performance.now() - t0) / 1000
    const own = process.cpuUsage(cpu0.own)
    const cpu = {
      serveMs: cpuMsOf(serve.pid) - cpu0.serve,
      ownMs: (own.user + own.system) / 1000,
      s3Ms: cpuMsOf(s3.pid) - cpu0.s3,
      load: [cpu0.load, loadavg()[0] ?? Number.NaN] as const,
    }
    const audited = await readAudit(s3)
    await serve.stop()
    const phases = await readFile(phasesFile, 'utf8').then(
      (text) => formatPhases(JSON.parse(text), windowStart),
      (err: Error) => `\nServe's own steps: not recorded (${err.message})\n`,
    )
    process.stdout.write(
      formatServeReport(results, seconds, {
        ...cpu,
        audited,
        concurrency,
        warmup: { requests: warmup, errors: warmupErrors },
      }) + phases,
    )
    return 0
  } finally {
    await runCleanups()
    process.off('SIGINT', interrupted)
    process.off('SIGTERM', interrupted)
    process.off('exit', removeFolders)
  }
}

interface Planned {
  responseId: string
  body: string
  /** Head and body, signed at `signedAt` (ms since the epoch). */
  request: Buffer
  signedAt: number
}

function planRequest(replies: ReplyCatcher, secret: string, user: string, i: number): Planned {
  const response = replies.responseUrl()
  const body = commandBody({
    text: 'latest',
    team_id: 'T0BENCH',
    channel_id: 'C0BENCH',
    user_id: user,
    trigger_id: `bench.${i}.${response.id}`,
    response_url: response.url,
  })
  return { responseId: response.id, body, ...signRequest(secret, body) }
}

function signRequest(secret: string, body: string): { request: Buffer; signedAt: number } {
  return {
    request: encodeRequest(slackPath, signedHeaders(secret, body), body),
    signedAt: Date.now(),
  }
}

const slackPath = '/slack/events'

/** Slack refuses timestamps over 5 minutes old; a plan that waited 4 is signed again. */
function freshRequest(p: Planned, secret: string): Buffer {
  if (Date.now() - p.signedAt > 4 * 60_000) Object.assign(p, signRequest(secret, p.body))
  return p.request
}

async function oneRequest(
  send: (planned: Planned) => Promise<number>,
  replies: ReplyCatcher,
  planned: Planned,
  i: number,
): Promise<Result> {
  const reply = replies.waitForReplyText(planned.responseId, 10_000)
  // Awaited only after a 200; a failed request must not leave it rejecting unheard.
  reply.catch(() => {})
  const t0 = performance.now()
  try {
    const status = await send(planned)
    const ackMs = performance.now() - t0
    if (status !== 200) return { i, ackMs, replyMs: Number.NaN, error: `HTTP ${status}` }
    const text = await reply
    const replyMs = performance.now() - t0
    // An ephemeral reply with a presigned link in it (the JSON is checked, not parsed).
    const error =
      text.includes('"response_type":"ephemeral"') &&
      text.includes('X-Amz-Signature=') &&
      text.includes('Download dump.sql.gz')
        ? null
        : `reply without a link: ${text.slice(0, 60)}`
    return { i, ackMs, replyMs, error }
  } catch (err) {
    return { i, ackMs: performance.now() - t0, replyMs: Number.NaN, error: (err as Error).message }
  }
}

/** Requests the load generator sends to warm its own code, before any to serve. */
const generatorWarmup = 300

/**
 * Warms the load generator's own code (V8 compiles it on first use: the first 50
 * requests cost it 3-4 ms of CPU each, on the cores serve shares) before any request
 * goes to serve: the same signing, sending, waiting for and checking of replies, but
 * sent to the reply catcher, which acks them, with a canned reply posted to each
 * response_url from here. Serve sees none of it; its warm-up is `--warmup`.
 */
async function warmGenerator(replies: ReplyCatcher, secret: string, concurrency: number) {
  const sender: RawSender = createRawSender(Number(new URL(replies.origin).port))
  const canned = JSON.stringify({
    response_type: 'ephemeral',
    text: '<http://127.0.0.1/?X-Amz-Signature=0|Download dump.sql.gz>',
  })
  const json = { 'content-type': 'application/json' }
  let next = 0
  let failed = 0
  const worker = async () => {
    while (next < generatorWarmup) {
      const planned = planRequest(replies, secret, 'U0WARM', next++)
      const reply = encodeRequest(`/response/${planned.responseId}`, json, canned)
      const ackThenReply = async (p: Planned) => {
        const status = await sender.send(freshRequest(p, secret))
        void sender.send(reply).catch(() => {})
        return status
      }
      const r = await oneRequest(ackThenReply, replies, planned, 0)
      if (r.error !== null) failed++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  sender.close()
  if (failed > 0) throw new Error(`the load generator's warm-up failed on ${failed} requests`)
}

export function formatServeReport(
  results: Result[],
  seconds: number,
  cpu?: {
    serveMs: number
    ownMs: number
    s3Ms: number
    load: readonly [number, number]
    audited: { objects: number; links: number }
    /** The first this many requests were sent at once (to a cold process, without a warm-up). */
    concurrency: number
    /** Requests sent before the timed ones, untimed and not counted here. */
    warmup: { requests: number; errors: number }
  },
): string {
  const errors = results.filter((r) => r.error !== null)
  const acks = results.map((r) => r.ackMs).sort((a, b) => a - b)
  const replies = results
    .filter((r) => r.error === null)
    .map((r) => r.replyMs)
    .sort((a, b) => a - b)
  const pct = (xs: number[], p: number) =>
    xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? Number.NaN
  const ms = (x: number) => `${x.toFixed(1)} ms`
  const maxAck = acks.at(-1) ?? Number.NaN
  const p99 = pct(replies, 99)
  const status = (ok: boolean) => (ok ? 'met' : '**missed**')
  const firstErrors = [...new Set(errors.map((e) => e.error))].slice(0, 3).join('; ')
  const perRequest = (cpuMs: number) => `${(cpuMs / results.length).toFixed(2)} ms`
  const cpuLine = cpu
    ? `CPU per request: dumpling serve ${perRequest(cpu.serveMs)}, load generator and Slack stand-in ${perRequest(cpu.ownMs)}, s3rver ${perRequest(cpu.s3Ms)}; load average ${cpu.load[0].toFixed(1)} before, ${cpu.load[1].toFixed(1)} after\n`
    : ''
  const warm = results
    .filter((r) => r.error === null && r.i >= (cpu?.concurrency ?? 0))
    .map((r) => r.replyMs)
    .sort((a, b) => a - b)
  const warmup = cpu?.warmup.requests ?? 0
  const warmupLine = !cpu
    ? ''
    : warmup > 0
      ? `Warm-up: ${warmup} requests sent the same way before these, not timed and not counted here (${cpu.warmup.errors} errors)\n`
      : 'Warm-up: none (the first requests reach a cold process; --warmup N sends N untimed first)\n'
  const generatorLine = cpu
    ? `Load generator: requests signed before the clock starts; warmed on ${generatorWarmup} requests of its own to the reply catcher first (serve sees none); s3rver on ${s3Warmup} PUTs outside audit/ before serve starts\n`
    : ''
  const warmLine =
    cpu && warmup === 0
      ? `Reply after the first ${cpu.concurrency} (sent at once to a cold process; not a target, all requests count above): p50 ${ms(pct(warm, 50))}, p99 ${ms(pct(warm, 99))}\n`
      : ''
  const auditLine = cpu
    ? `Audit: ${cpu.audited.links} link events for ${warmup + results.length} requests${warmup > 0 ? ' (warm-up included)' : ''}, stored in ${cpu.audited.objects} objects under audit/\n`
    : ''
  return `
## dumpling serve: signed /dump latest against s3rver storage

${results.length} requests in ${seconds.toFixed(1)} s (${(results.length / seconds).toFixed(0)}/s)
${warmupLine}${generatorLine}${cpuLine}${auditLine}
| measure | value | target | status |
|---|---|---|---|
| errors | ${errors.length}${firstErrors ? ` (${firstErrors})` : ''} | 0 | ${status(errors.length === 0)} |
| ack (HTTP 200), max | ${ms(maxAck)} (p50 ${ms(pct(acks, 50))}, p99 ${ms(pct(acks, 99))}) | < 3000 ms | ${status(maxAck < 3000)} |
| ephemeral reply, p99 | ${ms(p99)} (p50 ${ms(pct(replies, 50))}, max ${ms(replies.at(-1) ?? Number.NaN)}) | < 100 ms | ${status(p99 < 100)} |

${warmLine}`
}

/** One small snapshot in the bench bucket, stored through the storage interface. */
async function storeOneSnapshot(s3: BenchS3): Promise<void> {
  const storage = createS3Storage({
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    client: { credentials: s3.credentials },
  })
  const dump = randomBytes(200_000)
  const id = '20261127T030000Z-be0c'
  const upload = await storage.beginSnapshot(id)
  await pipeline(Readable.from([dump]), upload.dump)
  const manifest: Manifest = {
    formatVersion: 1,
    id,
    createdAt: new Date().toISOString(),
    tool: { name: 'dumpling', version: 'bench' },
    source: { database: 'app', serverVersion: '15', systemIdentifier: null },
    schemaFingerprint: '-',
    rulesHash: '-',
    tables: [{ name: 'public.t', data: 'dump', rows: 1, bytes: dump.length }],
    dump: {
      file: 'dump.sql.gz',
      compression: 'gzip',
      bytes: dump.length,
      sha256: createHash('sha256').update(dump).digest('hex'),
    },
    durationMs: 1,
  }
  await upload.commit(manifest)
}

/** Small objects s3rver stores before serve starts, outside audit/. */
const s3Warmup = 200

/**
 * Warms s3rver's own code (a Node process too, compiled on first use: its first audit
 * PUTs in a cold burst took 44-181 ms each under load) as S3 always is, with PUTs of
 * small objects under `bench-warm-up/`, 10 at a time, before serve starts. Serve sees
 * none of it, and the bench's count of audit objects does not include them.
 */
async function warmS3(s3: BenchS3): Promise<void> {
  const storage = createS3Storage({
    bucket: s3.bucket,
    prefix: 'bench-warm-up/',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    client: { credentials: s3.credentials },
  })
  const body = `${JSON.stringify({ warmUp: true, padding: 'x'.repeat(3000) })}\n`
  let next = 0
  const worker = async () => {
    while (next < s3Warmup) await storage.putAuditObject(`w${next++}.jsonl`, body)
  }
  await Promise.all(Array.from({ length: 10 }, worker))
}

/** The audit objects in the bench bucket, and the events in them that record a link. */
async function readAudit(s3: BenchS3): Promise<{ objects: number; links: number }> {
  const client = new S3Client({
    endpoint: s3.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: s3.credentials,
  })
  let objects = 0
  let links = 0
  let token: string | undefined
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'audit/', ContinuationToken: token }),
    )
    for (const { Key } of page.Contents ?? []) {
      const res = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key }))
      const text = (await res.Body?.transformToString('utf8')) ?? ''
      objects++
      links += text.split('\n').filter((line) => line.includes('"linkExpiresAt":"')).length
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined
  } while (token)
  client.destroy()
  return { objects, links }
}

/**
 * s3rver's folder: in memory (/dev/shm) where there is one, else under the temp folder.
 * S3 keeps its objects on other machines; s3rver's files on this machine's disk cost
 * the cores serve shares journal and block work that S3 never puts there.
 */
async function memoryFolder(): Promise<string> {
  const shm = '/dev/shm'
  const base = await access(shm, constants.W_OK).then(
    () => shm,
    () => tmpdir(),
  )
  return mkdtemp(join(base, 'dumpling-serve-bench-s3-'))
}

/** User + system CPU of a process so far, from /proc (Linux); NaN elsewhere. */
function cpuMsOf(pid: number | undefined): number {
  try {
    // Fields after the command name: state is 3rd, utime 14th and stime 15th, in clock ticks (100/s).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return Number.NaN
  }
}

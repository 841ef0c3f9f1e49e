import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditEvent } from '../../src/audit/audit-event.js'
import { createAuditWriter } from '../../src/audit/audit-writer.js'
import { type Config, loadConfig } from '../../src/config/load-config.js'
import { createJobs } from '../../src/jobs/create-jobs.js'
import { tryLockSource } from '../../src/jobs/source-lock.js'
import { createLogger, type Logger } from '../../src/logger.js'
import { createSlackApp, type SlackServer } from '../../src/slack/create-slack-app.js'
import { createDownloadHandler } from '../../src/storage/download-handler.js'
import { createLocalStorage } from '../../src/storage/local-storage.js'
import type { SnapshotStorage } from '../../src/storage/storage.js'
import { createDatabase, type TestDatabase } from '../helpers/databases.js'
import { startS3Server, type TestS3Server } from '../helpers/s3-server.js'
import {
  type CommandFields,
  type Posted,
  type SlackStub,
  signedCommand,
  startSlackStub,
  triggerId,
} from '../helpers/slack.js'
import { putSnapshot } from '../helpers/stored-snapshots.js'
import { createWorkdir } from '../helpers/workdir.js'

const signingSecret = randomBytes(24).toString('hex')
const botToken = `xoxb-1-2-${randomBytes(12).toString('hex')}`
const anonKey = randomBytes(32).toString('base64')
const linkSecret = randomBytes(32).toString('base64')
const rulesPath = fileURLToPath(new URL('../fixtures/rules.yml', import.meta.url))

let stub: SlackStub
let log: Logger
let db: TestDatabase
let config: Config
let storage: SnapshotStorage
let server: SlackServer
let base: string
let logged = ''
let s3: TestS3Server
let s3Storage: SnapshotStorage
let s3App: SlackServer
let s3Base: string
const work = createWorkdir()
/** Every link and response_url handed out in this file: none may reach the log. */
const secrets: string[] = [signingSecret, botToken, anonKey, linkSecret]

beforeAll(async () => {
  stub = await startSlackStub()
  stub.groups.S0DEVS = ['U0GROUPIE']
  db = await createDatabase()
  const configPath = work.write(
    'dumpling.yml',
    `rules: ${rulesPath}
storage: { kind: local, dir: ./store }
slack:
  teams: [T0ACME, E0GRID]
  channels: [C0DEV]
  users: [U0DEV]
  userGroups: [S0DEVS]
  leads: [U0LEAD]
  auditChannel: C0AUDIT
  rateLimit: { linksPerUserPerHour: 3 }
`,
  )
  config = loadConfig({ path: configPath, env: { ...envFor(), DUMPLING_SOURCE_URL: db.url } })
  log = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _enc, done) {
        logged += String(chunk)
        done()
      },
    }),
  })
  storage = createLocalStorage({
    ...(config.storage as { dir: string }),
    publicUrl: 'http://127.0.0.1:0',
    linkSecret: config.linkSecret,
  })
  server = createSlackApp({
    config,
    storage,
    audit: createAuditWriter({ storage, log }),
    jobs: createJobs({ config, storage, log }),
    log,
    routes: [
      {
        path: '/download/:token',
        method: ['GET'],
        handler: createDownloadHandler({ storage, secret: config.linkSecret ?? '', log }),
      },
    ],
  })
  base = `http://127.0.0.1:${(await server.start(0)).port}`

  s3 = await startS3Server()
  s3Storage = s3.storage()
  s3App = createSlackApp({
    config,
    storage: s3Storage,
    audit: createAuditWriter({ storage: s3Storage, log }),
    jobs: createJobs({
      config,
      storage: s3Storage,
      log,
    }),
    log,
  })
  s3Base = `http://127.0.0.1:${(await s3App.start(0)).port}`
})

afterAll(async () => {
  await server?.stop()
  await s3App?.stop()
  await s3?.stop()
  await stub?.close()
  await db?.drop()
  work.remove()
})

/** The secrets and settings every app in this file runs with. */
function envFor(): NodeJS.ProcessEnv {
  return {
    DUMPLING_ANON_KEY: anonKey,
    DUMPLING_LINK_SECRET: linkSecret,
    SLACK_BOT_TOKEN: botToken,
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_API_URL: stub.apiUrl,
    PORT: '0',
  }
}

const dev = { team_id: 'T0ACME', channel_id: 'C0DEV', user_id: 'U0DEV' }
const lead = { ...dev, user_id: 'U0LEAD' }

/** Post a properly signed `/dump TEXT`; resolves with the HTTP status, the ack time and the response_url. */
async function command(text: string, who: Partial<CommandFields> = dev, to = base) {
  const fields: CommandFields = {
    ...dev,
    ...who,
    text,
    trigger_id: who.trigger_id ?? triggerId(),
    response_url: who.response_url ?? stub.responseUrl(),
  }
  secrets.push(fields.response_url)
  const request = signedCommand(signingSecret, fields)
  const t0 = performance.now()
  const res = await fetch(`${to}/slack/events`, { method: 'POST', ...request })
  await res.text()
  return { status: res.status, ackMs: performance.now() - t0, responseUrl: fields.response_url }
}

async function firstReply(responseUrl: string): Promise<Posted['body']> {
  const [post] = await stub.replies(responseUrl)
  return post?.body ?? {}
}

/** Every event under audit/: each object holds JSON Lines, one event a line. */
function auditRecords(): AuditEvent[] {
  const dir = join(work.dir, 'store', 'audit')
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.json') || f.endsWith('.jsonl'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEvent)
}

function auditFor(responseText: string, user: string): AuditEvent[] {
  return auditRecords().filter(
    (e) => e.actor.kind === 'slack' && e.actor.user === user && e.arguments === responseText,
  )
}

describe('request verification', () => {
  it('answers a properly signed command with 200 well inside 3 s, ephemerally, unfurling nothing', async () => {
    const { status, ackMs, responseUrl } = await command('help')
    expect(status).toBe(200)
    expect(ackMs).toBeLessThan(3000)
    const reply = await firstReply(responseUrl)
    expect(reply).toMatchObject({
      response_type: 'ephemeral',
      unfurl_links: false,
      unfurl_media: false,
    })
    expect(String(reply.text)).toContain('/dump latest')
  })

  it.each([
    ['a bad signature', { signature: `v0=${'0'.repeat(64)}` }],
    ['a stale timestamp', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
  ])('refuses %s with 401 and runs no handler', async (_what, options) => {
    const before = auditRecords().length
    const responseUrl = stub.responseUrl()
    const fields = { ...dev, text: 'help', trigger_id: triggerId(), response_url: responseUrl }
    const request = signedCommand(signingSecret, fields, options)
    const res = await fetch(`${base}/slack/events`, { method: 'POST', ...request })
    expect(res.status).toBe(401)
    await new Promise((r) => setTimeout(r, 300))
    expect(stub.posts.filter((p) => p.path === new URL(responseUrl).pathname)).toHaveLength(0)
    expect(auditRecords().length).toBe(before)
  })

  it('refuses a request without the signature headers with 401', async () => {
    const before = auditRecords().length
    const fields = {
      ...dev,
      text: 'help',
      trigger_id: triggerId(),
      response_url: stub.responseUrl(),
    }
    const { body } = signedCommand(signingSecret, fields)
    const res = await fetch(`${base}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    })
    expect(res.status).toBe(401)
    expect(auditRecords().length).toBe(before)
  })

  it('answers a duplicate delivery (same trigger_id) once', async () => {
    const trigger = triggerId()
    const responseUrl = stub.responseUrl()
    const a = await command('status', { ...dev, trigger_id: trigger, response_url: responseUrl })
    const b = await command('status', { ...dev, trigger_id: trigger, response_url: responseUrl })
    expect([a.status, b.status]).toEqual([200, 200])
    await stub.replies(responseUrl)
    await new Promise((r) => setTimeout(r, 300))
    expect(stub.posts.filter((p) => p.path === new URL(responseUrl).pathname)).toHaveLength(1)
  })
})

describe('who may do what', () => {
  it.each([
    ['another workspace', 'latest', { team_id: 'T0OTHER' }, 'workspace'],
    ['an unlisted channel', 'latest', { channel_id: 'C0RANDOM' }, 'channel'],
    ['a direct message', 'latest', { channel_id: 'D0DM' }, 'direct messages'],
    ['an unlisted user', 'latest', { user_id: 'U0STRANGER' }, 'not on the list'],
    ['a user who is not a lead', 'refresh', { user_id: 'U0DEV' }, 'only leads'],
  ])('denies %s, says which check failed, and audits it', async (_what, verb, who, words) => {
    const user = (who as Partial<CommandFields>).user_id ?? dev.user_id
    const { responseUrl } = await command(verb, { ...dev, ...who })
    const reply = await firstReply(responseUrl)
    expect(reply.response_type).toBe('ephemeral')
    expect(String(reply.text)).toContain(words)
    expect(String(reply.text)).not.toMatch(/U0DEV|U0LEAD|C0DEV|T0ACME/)
    const [event] = auditFor(verb, user).filter((e) => !e.decision.allowed)
    expect(event).toMatchObject({
      command: '/dump',
      decision: { allowed: false },
      snapshotId: null,
    })
  })

  it('allows a member of an allowed user group, and an org by enterprise id', async () => {
    const a = await command('status', { ...dev, user_id: 'U0GROUPIE' })
    expect(String((await firstReply(a.responseUrl)).text)).toContain('snapshot')
    const b = await command('status', { ...dev, team_id: 'T0SUB', enterprise_id: 'E0GRID' })
    expect(String((await firstReply(b.responseUrl)).text)).not.toContain('Sorry')
    expect(auditFor('status', 'U0GROUPIE')[0]?.decision).toEqual({ allowed: true })
  })
})

describe('/dump latest (local storage)', () => {
  it('says there is no snapshot yet, and who can take one', async () => {
    const { responseUrl } = await command('latest')
    expect(String((await firstReply(responseUrl)).text)).toContain('/dump refresh')
  })

  it('hands out a link that downloads the snapshot and expires in 180 s, audited before it is sent', async () => {
    const dump = randomBytes(50_000)
    const stored = await putSnapshot(storage, '20261127T100000Z-beef', dump)
    const t0 = Date.now()
    const { responseUrl } = await command('latest')
    const text = String((await firstReply(responseUrl)).text)
    const url = /<(http[^|>]+)\|Download/.exec(text)?.[1] ?? ''
    expect(url).not.toBe('')
    secrets.push(url, new URL(url).pathname.split('/').pop() ?? url)
    const download = await fetch(url.replace(/^http:\/\/127\.0\.0\.1:0/, base))
    expect(download.status).toBe(200)
    expect(Buffer.from(await download.arrayBuffer()).equals(dump)).toBe(true)
    const [event] = auditFor('latest', 'U0DEV').filter((e) => e.snapshotId === stored.id)
    const expiresIn = (Date.parse(event?.linkExpiresAt ?? '') - t0) / 1000
    expect(expiresIn).toBeGreaterThan(175)
    expect(expiresIn).toBeLessThanOrEqual(181)
    expect(JSON.stringify(event)).not.toContain(url)
  })

  it('refuses more links than the hourly limit, and audits the refusal', async () => {
    // One link was handed out above; the limit is 3.
    for (let i = 0; i < 2; i++) await firstReply((await command('latest')).responseUrl)
    const { responseUrl } = await command('latest')
    expect(String((await firstReply(responseUrl)).text)).toContain('the most allowed')
    expect(
      auditRecords().some((e) => !e.decision.allowed && e.decision.reason === 'rate limit reached'),
    ).toBe(true)
  })

  it('hands out no link to any of the requests whose audit write failed, and tells each why', async () => {
    const auditDir = join(work.dir, 'store', 'audit')
    rmSync(auditDir, { recursive: true, force: true })
    writeFileSync(auditDir, 'not a folder')
    try {
      // Together: the later ones wait for the first write, then share one (failing) write.
      const sent = await Promise.all(
        [lead, { ...dev, user_id: 'U0GROUPIE' }, { ...dev, user_id: 'U0GROUPIE' }].map((who) =>
          command('latest', who),
        ),
      )
      for (const { responseUrl } of sent) {
        const text = String((await firstReply(responseUrl)).text)
        expect(text).toContain('could not record')
        expect(text).not.toContain('http')
      }
    } finally {
      rmSync(auditDir, { force: true })
    }
  })
})

describe('/dump latest (s3rver storage)', () => {
  it('hands out a presigned link that downloads the snapshot and expires in 180 s', async () => {
    const dump = randomBytes(70_000)
    const stored = await putSnapshot(s3Storage, '20261127T110000Z-cafe', dump)
    const t0 = Date.now()
    const { responseUrl } = await command('latest', lead, s3Base)
    const reply = await firstReply(responseUrl)
    expect(reply).toMatchObject({
      response_type: 'ephemeral',
      unfurl_links: false,
      unfurl_media: false,
    })
    const url = /<(http[^|>]+)\|Download/.exec(String(reply.text))?.[1] ?? ''
    expect(url).toContain(s3.endpoint)
    secrets.push(url, new URL(url).searchParams.get('X-Amz-Signature') ?? url)
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('180')
    const download = await fetch(url)
    expect(download.status).toBe(200)
    expect(Buffer.from(await download.arrayBuffer()).equals(dump)).toBe(true)
    const audited = logged
      .split('\n')
      .filter((line) => line.includes('"audit"'))
      .map((line) => JSON.parse(line).audit as AuditEvent)
      .find((e) => e.snapshotId === stored.id)
    const expiresIn = (Date.parse(audited?.linkExpiresAt ?? '') - t0) / 1000
    expect(expiresIn).toBeGreaterThan(175)
    expect(expiresIn).toBeLessThanOrEqual(181)
  })
})

describe('/dump refresh', () => {
  it('is told who runs a snapshot elsewhere and since when (the job lock on the source)', async () => {
    const held = await tryLockSource(db.url, 'U0OTHER', new Date('2026-11-27T02:00:00Z'))
    if (!held.ok) throw new Error('the lock should be free')
    try {
      const before = (await storage.list()).length
      const { responseUrl } = await command('refresh', lead)
      const text = String((await firstReply(responseUrl)).text)
      expect(text).toMatch(/^A snapshot is already running: <@U0OTHER> started it on \S+ at /)
      expect(text).toContain('I did not start another one')
      expect((await storage.list()).length).toBe(before)
    } finally {
      await held.lock.release()
    }
  })

  it('starts one snapshot for two concurrent requests, and follows up when it is done', async () => {
    const before = (await storage.list()).length
    const [a, b] = await Promise.all([command('refresh', lead), command('refresh', lead)])
    const texts = [
      String((await firstReply(a.responseUrl)).text),
      String((await firstReply(b.responseUrl)).text),
    ]
    expect(texts.filter((t) => t.startsWith('Started'))).toHaveLength(1)
    expect(texts.filter((t) => t.includes('already running'))).toHaveLength(1)
    const startedUrl = texts[0]?.startsWith('Started') ? a.responseUrl : b.responseUrl
    const [, done] = await stub.replies(startedUrl, 2, 60_000)
    expect(String(done?.body.text)).toContain('is ready')
    expect((await storage.list()).length).toBe(before + 1)
    const toChannel = (text: string) => (p: { path: string; body: Record<string, unknown> }) =>
      p.path === '/api/chat.postMessage' &&
      p.body.channel === 'C0AUDIT' &&
      String(p.body.text).includes(text)
    await stub.waitFor(toChannel('Snapshot started by <@U0LEAD>'), 1, 10_000)
    await stub.waitFor(toChannel('is complete'), 1, 10_000)
  })
})

describe('/dump refresh that fails', () => {
  it('tells the requester and the audit channel why (here: columns nobody classified)', async () => {
    const path = work.write(
      'unclassified.yml',
      `rules: { tables: { public.users: { columns: { id: keep } } } }
storage: { kind: local, dir: ./store-unclassified }
slack: { teams: [T0ACME], channels: [C0DEV], leads: [U0LEAD], auditChannel: C0AUDIT }
`,
    )
    const strict = loadConfig({ path, env: { ...envFor(), DUMPLING_SOURCE_URL: db.url } })
    const store = createLocalStorage({
      ...(strict.storage as { dir: string }),
      publicUrl: 'http://127.0.0.1:0',
      linkSecret: null,
    })
    const app = createSlackApp({
      config: strict,
      storage: store,
      audit: createAuditWriter({ storage: store, log }),
      jobs: createJobs({
        config: strict,
        storage: store,
        log,
      }),
      log,
    })
    const to = `http://127.0.0.1:${(await app.start(0)).port}`
    try {
      const { responseUrl } = await command('refresh', lead, to)
      const [, done] = await stub.replies(responseUrl, 2, 60_000)
      expect(String(done?.body.text)).toMatch(/failed: .*public\.users/s)
      const deadline = Date.now() + 5000
      const failedPost = () =>
        stub.posts.find(
          (p) => p.path === '/api/chat.postMessage' && String(p.body.text).includes('*failed*'),
        )
      while (!failedPost() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      expect(String(failedPost()?.body.text)).toContain('public.users')
      expect(await store.list()).toEqual([])
    } finally {
      await app.stop()
    }
  })
})

describe('when Slack is awkward', () => {
  it('still answers when the audit channel post fails (app not in the channel)', async () => {
    stub.failing['chat.postMessage'] = 'not_in_channel'
    try {
      const { responseUrl } = await command('status', lead)
      expect(String((await firstReply(responseUrl)).text)).toContain('snapshot')
      const deadline = Date.now() + 5000
      while (!logged.includes('audit channel post failed') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50))
      }
      expect(logged).toContain('audit channel post failed')
    } finally {
      delete stub.failing['chat.postMessage']
    }
  })

  it('sends the refresh result by direct message when the response_url no longer works', async () => {
    const { responseUrl } = await command('refresh', {
      ...lead,
      response_url: stub.responseUrl({ expired: true }),
    })
    await stub.replies(responseUrl)
    const deadline = Date.now() + 60_000
    const dm = () =>
      stub.posts.find(
        (p) =>
          p.path === '/api/chat.postMessage' &&
          p.body.channel === 'U0LEAD' &&
          String(p.body.text).includes('is ready'),
      )
    while (!dm() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
    expect(dm()).toBeDefined()
  })
})

describe('setup errors', () => {
  it('needs the signing secret in HTTP mode, and not in Socket Mode', () => {
    const deps = {
      config,
      storage,
      audit: async () => {},
      jobs: createJobs({ config, storage, log }),
      log,
    }
    const without = { ...config, slack: { ...config.slack, signingSecret: null } }
    expect(() => createSlackApp({ ...deps, config: without })).toThrow(
      /SLACK_SIGNING_SECRET is not set/,
    )
    const socket = { ...without, slack: { ...without.slack, appToken: 'xapp-1-A0-1-abc' } }
    expect(() => createSlackApp({ ...deps, config: socket })).not.toThrow()
  })
})

describe('health', () => {
  it('on stop, finishes the reply of a command whose listener has returned (its audit write was slow)', async () => {
    let releaseWrite = () => {}
    let slowApp: SlackServer | undefined
    const writeStarted = new Promise<void>((started) => {
      const slow: SnapshotStorage = {
        ...storage,
        async putAuditObject(key, body) {
          started()
          await new Promise<void>((resolve) => {
            releaseWrite = resolve
          })
          await storage.putAuditObject(key, body)
        },
      }
      slowApp = createSlackApp({
        config,
        storage: slow,
        audit: createAuditWriter({ storage: slow, log }),
        jobs: createJobs({ config, storage: slow, log }),
        log,
      })
    })
    const app = slowApp as SlackServer
    const to = `http://127.0.0.1:${(await app.start(0)).port}`
    const { status, responseUrl } = await command('status', dev, to)
    expect(status).toBe(200)
    await writeStarted
    let stopped = false
    const stopping = app.stop().then(() => {
      stopped = true
    })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(stopped).toBe(false)
    expect(stub.posts.filter((p) => p.path === new URL(responseUrl).pathname)).toHaveLength(0)
    releaseWrite()
    await stopping
    expect(stub.posts.filter((p) => p.path === new URL(responseUrl).pathname)).toHaveLength(1)
  })

  it('serves /healthz and /readyz', async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
    expect((await fetch(`${base}/readyz`)).status).toBe(200)
  })
})

describe('the log of the whole session', () => {
  it('holds no link, response_url, token or secret', async () => {
    expect(logged).toContain('"audit"')
    for (const secret of secrets) expect(logged).not.toContain(secret)
    expect(logged).not.toMatch(/xox[bp]-/)
    expect(logged).not.toContain('/download/')
  })

  it('posts no link to the audit channel', () => {
    const posts = stub.posts.filter((p) => p.path === '/api/chat.postMessage')
    expect(posts.length).toBeGreaterThan(0)
    for (const p of posts) expect(String(p.body.text)).not.toMatch(/https?:|\/download\//)
  })
})

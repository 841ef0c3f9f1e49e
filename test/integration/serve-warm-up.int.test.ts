import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAuditWriter } from '../../src/audit/audit-writer.js'
import { loadConfig } from '../../src/config/load-config.js'
import { createJobs } from '../../src/jobs/create-jobs.js'
import { createLogger } from '../../src/logger.js'
import { createSlackApp, type SlackServer } from '../../src/slack/create-slack-app.js'
import { startS3Server, type TestS3Server } from '../helpers/s3-server.js'
import { type SlackStub, signedCommand, startSlackStub, triggerId } from '../helpers/slack.js'
import { putSnapshot } from '../helpers/stored-snapshots.js'
import { createWorkdir } from '../helpers/workdir.js'

const signingSecret = randomBytes(24).toString('hex')
let s3: TestS3Server
let stub: SlackStub
let app: SlackServer | undefined
let logged = ''
const work = createWorkdir()

beforeAll(async () => {
  s3 = await startS3Server()
  stub = await startSlackStub()
})

afterAll(async () => {
  await app?.stop()
  await stub?.close()
  await s3?.stop()
  work.remove()
})

async function auditKeys(): Promise<string[]> {
  const client = s3.client()
  const page = await client.send(new ListObjectsV2Command({ Bucket: 'dumps', Prefix: 'audit/' }))
  client.destroy()
  return (page.Contents ?? []).map((o) => o.Key ?? '')
}

/** A Slack app on s3rver storage with the given `slack:` section, logging into `logged`. */
async function startApp(slack: string, level: 'debug' | 'warn'): Promise<string> {
  const storage = s3.storage()
  const config = loadConfig({
    path: work.write(
      'dumpling.yml',
      `rules: { tables: {} }
storage: { kind: s3, bucket: dumps, endpoint: ${s3.endpoint}, forcePathStyle: true }
slack: ${slack}
`,
    ),
    env: {
      SLACK_BOT_TOKEN: `xoxb-1-2-${randomBytes(8).toString('hex')}`,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: stub.apiUrl,
    },
  })
  const log = createLogger({
    level,
    destination: new Writable({
      write(chunk, _enc, done) {
        logged += String(chunk)
        done()
      },
    }),
  })
  app = createSlackApp({
    config,
    storage,
    audit: createAuditWriter({ storage, log }),
    jobs: createJobs({ config, storage, log }),
    log,
  })
  return `http://127.0.0.1:${(await app.start(0)).port}`
}

describe('serve at start', () => {
  it('warms the command path before it is ready, auditing and posting nothing', async () => {
    await putSnapshot(s3.storage(), '20261127T110000Z-beef', randomBytes(1000))
    const base = await startApp(
      '{ teams: [T0ACME], channels: [C0DEV], users: [U0DEV], auditChannel: C0AUDIT }',
      'debug',
    )

    const warmed = logged.split('\n').find((line) => line.includes('"msg":"warmed up"'))
    expect(warmed).toBeDefined()
    // The rehearsal ran whole commands: each answered, with a link, at its loopback sink;
    // their audit channel lines went through the Web API client to that sink too.
    const { rehearsed, collected } = JSON.parse(warmed ?? '{}')
    expect(rehearsed).toMatchObject({ commands: 1000, replies: 1000 })
    expect(rehearsed.posts).toBeGreaterThanOrEqual(1)
    expect(collected).toBe(true)
    // Nothing to warn about: the warm-up neither failed nor drew a refusal from the receiver.
    expect(logged.split('\n').filter((line) => /"level":(40|50|60)/.test(line))).toEqual([])
    expect((await fetch(`${base}/readyz`)).status).toBe(200)
    expect(await auditKeys()).toEqual([])
    await app?.stop()
    app = undefined
    // Nothing went to Slack: no reply, no audit channel post (stop() flushes those).
    expect(stub.posts).toEqual([])
    expect(logged).not.toContain('"audit"')
    // The links it presigned were thrown away, never logged.
    expect(logged).not.toContain('X-Amz-Signature')
  })

  it('still answers commands as before once warm', async () => {
    const base = await startApp('{ teams: [T0ACME], channels: [C0DEV], users: [U0DEV] }', 'warn')
    const responseUrl = stub.responseUrl()
    const request = signedCommand(signingSecret, {
      team_id: 'T0ACME',
      channel_id: 'C0DEV',
      user_id: 'U0DEV',
      text: 'latest',
      trigger_id: triggerId(),
      response_url: responseUrl,
    })
    const res = await fetch(`${base}/slack/events`, { method: 'POST', ...request })
    expect(res.status).toBe(200)
    const [reply] = await stub.replies(responseUrl)
    expect(String(reply?.body.text)).toMatch(/X-Amz-Signature=/)
    expect((await auditKeys()).length).toBe(1)
  })
})

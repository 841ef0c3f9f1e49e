import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { Writable } from 'node:stream'
import { App } from '@slack/bolt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/logger.js'
import { SlackReceiver } from '../../src/slack/slack-receiver.js'
import { slackSignature } from '../../src/slack/slack-signature.js'
import { signedCommand, triggerId } from '../helpers/slack.js'

const signingSecret = randomBytes(24).toString('hex')
const fields = {
  team_id: 'T0ACME',
  channel_id: 'C0DEV',
  user_id: 'U0DEV',
  text: 'latest',
  response_url: 'http://127.0.0.1:9/response/x',
}
/** Every command a listener saw, by trigger_id. */
const handled: string[] = []
/** The work in Bolt the receiver reported, per request. */
const tracked: Promise<unknown>[] = []
let logged = ''
let receiver: SlackReceiver
let base: string
let port: number

beforeAll(async () => {
  const log = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _enc, done) {
        logged += String(chunk)
        done()
      },
    }),
  })
  receiver = new SlackReceiver({
    signingSecret,
    log,
    bodyLimit: 64 * 1024,
    track: (work) => tracked.push(work),
    routes: [
      {
        path: '/items/:id',
        method: ['GET'],
        handler: (req, res) => res.writeHead(200).end(`item ${req.url}`),
      },
    ],
  })
  const app = new App({
    receiver,
    authorize: async () => ({ botToken: 'xoxb-test' }),
    convoStore: false,
  })
  app.command('/dump', async ({ command, ack }) => {
    await ack()
    handled.push(command.trigger_id)
  })
  app.command('/slow', async ({ command, ack }) => {
    await ack()
    await new Promise((r) => setTimeout(r, 500))
    handled.push(command.trigger_id)
  })
  const server = await receiver.start(0)
  port = (server.address() as { port: number }).port
  base = `http://127.0.0.1:${port}`
})

afterAll(async () => {
  await receiver?.stop()
})

async function post(headers: Record<string, string>, body: string, path = '/slack/events') {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers, body })
  return { status: res.status, text: await res.text() }
}

/** A signed command with a fresh trigger_id; `options` alter the timestamp or signature. */
function command(options: { timestamp?: number; signature?: string } = {}, command = '/dump') {
  const trigger = triggerId()
  const signed = signedCommand(
    signingSecret,
    { ...fields, trigger_id: trigger, command } as never,
    options,
  )
  return { trigger, ...signed }
}

async function notHandled(trigger: string) {
  await new Promise((r) => setTimeout(r, 100))
  expect(handled).not.toContain(trigger)
}

describe('the Slack receiver', () => {
  it('acks a properly signed command with 200 within 3 s and runs its listener with the parsed fields', async () => {
    const { trigger, headers, body } = command()
    const t0 = performance.now()
    const res = await post(headers, body)
    expect(res.status).toBe(200)
    expect(performance.now() - t0).toBeLessThan(3000)
    await new Promise((r) => setTimeout(r, 50))
    expect(handled).toContain(trigger)
  })

  it('acks before the listener has finished its work', async () => {
    const { trigger, headers, body } = command({}, '/slow')
    expect((await post(headers, body)).status).toBe(200)
    expect(handled).not.toContain(trigger)
    await new Promise((r) => setTimeout(r, 700))
    expect(handled).toContain(trigger)
  })

  it("reports each request's work until its listener has finished (shutdown waits on it)", async () => {
    const before = tracked.length
    const { trigger, headers, body } = command({}, '/slow')
    expect((await post(headers, body)).status).toBe(200)
    expect(tracked).toHaveLength(before + 1)
    expect(handled).not.toContain(trigger)
    await tracked[before]
    expect(handled).toContain(trigger)
  })

  it.each([
    ['a bad signature', { signature: `v0=${'0'.repeat(64)}` }],
    ['a signature of another version', { signature: `v1=${'0'.repeat(64)}` }],
    ['a truncated signature', { signature: 'v0=abc' }],
    ['a timestamp 6 minutes old', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
    ['a timestamp 6 minutes ahead', { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 }],
  ])('refuses %s with 401 and runs no listener', async (_what, options) => {
    const { trigger, headers, body } = command(options)
    expect((await post(headers, body)).status).toBe(401)
    await notHandled(trigger)
  })

  it('refuses a stale request even when it is signed properly for its old timestamp', async () => {
    const old = Math.floor(Date.now() / 1000) - 6 * 60
    const { trigger, body } = command()
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(old),
      'x-slack-signature': slackSignature(signingSecret, old, body),
    }
    expect((await post(headers, body)).status).toBe(401)
    await notHandled(trigger)
  })

  it('refuses a body changed after it was signed', async () => {
    const { trigger, headers, body } = command()
    const changed = body.replace('U0DEV', 'U0LEAD')
    expect((await post(headers, changed)).status).toBe(401)
    await notHandled(trigger)
  })

  it.each(['x-slack-signature', 'x-slack-request-timestamp'])(
    'refuses a request without %s with 401',
    async (missing) => {
      const { trigger, headers, body } = command()
      const { [missing]: _gone, ...rest } = headers
      expect((await post(rest, body)).status).toBe(401)
      await notHandled(trigger)
    },
  )

  it('refuses a body over the limit with 413, whether its length is declared or not', async () => {
    const { trigger, headers } = command()
    const big = `text=${'a'.repeat(70 * 1024)}&trigger_id=${trigger}`
    expect((await post(headers, big)).status).toBe(413)
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${base}/slack/events`,
        { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } },
        (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        },
      )
      req.on('error', reject)
      for (let i = 0; i < 10; i++) req.write('a'.repeat(10 * 1024))
      req.end()
    })
    expect(chunked).toBe(413)
    await notHandled(trigger)
  })

  it("answers Slack's unsigned SSL check with 200 and runs nothing", async () => {
    const trigger = triggerId()
    const res = await post(
      { 'content-type': 'application/x-www-form-urlencoded' },
      `ssl_check=1&command=%2Fdump&trigger_id=${trigger}`,
    )
    expect(res.status).toBe(200)
    expect(res.text).toBe('')
    await notHandled(trigger)
  })

  /** A JSON body (Slack's events and URL verification) signed with the app's secret. */
  const postSignedJson = (body: string) => {
    const ts = Math.floor(Date.now() / 1000)
    return post(
      {
        'content-type': 'application/json',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': slackSignature(signingSecret, ts, body),
      },
      body,
    )
  }

  it('answers a signed URL verification with its challenge', async () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'c-123' })
    const res = await postSignedJson(body)
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text)).toEqual({ challenge: 'c-123' })
  })

  it('answers a signed but malformed JSON body with 400', async () => {
    const body = '{not json'
    const res = await postSignedJson(body)
    expect(res.status).toBe(400)
  })

  it('answers a signed body that is not an object with 400, and keeps serving', async () => {
    for (const body of ['null', '[1]', '"text"']) {
      expect((await postSignedJson(body)).status).toBe(400)
    }
    const ts = Math.floor(Date.now() / 1000)
    const form = 'payload=null'
    const res = await post(
      {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(ts),
        'x-slack-signature': slackSignature(signingSecret, ts, form),
      },
      form,
    )
    expect(res.status).toBe(400)
    expect(
      (await postSignedJson(JSON.stringify({ type: 'url_verification', challenge: 'up' }))).status,
    ).toBe(200)
  })

  it('answers 404 to a command no listener takes, and to unknown paths and methods', async () => {
    const { headers, body } = command({}, '/other')
    expect((await post(headers, body)).status).toBe(404)
    expect((await fetch(`${base}/nowhere`)).status).toBe(404)
    expect((await fetch(`${base}/slack/events`)).status).toBe(404)
    expect((await post({}, '', '/items/1')).status).toBe(404)
  })

  it('serves its routes, a `:name` matching one path segment', async () => {
    const res = await fetch(`${base}/items/42?x=1`)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('item /items/42?x=1')
    expect((await fetch(`${base}/items/`)).status).toBe(404)
    expect((await fetch(`${base}/items/1/2`)).status).toBe(404)
  })

  it('logs why it refused a request, and never the signature or the body', () => {
    expect(logged).toContain('request refused: the signature does not match')
    expect(logged).toContain('not within 5 minutes')
    expect(logged).not.toContain(signingSecret)
    expect(logged).not.toContain('response_url')
  })

  it('cannot listen on a port that is taken', async () => {
    const other = new SlackReceiver({
      signingSecret,
      log: createLogger({ level: 'silent' }),
      routes: [],
    })
    await expect(other.start(port)).rejects.toMatchObject({ code: 'EADDRINUSE' })
  })
})

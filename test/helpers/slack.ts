import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { slackSignature } from '../../src/slack/slack-signature.js'

/** The fields Slack posts for a slash command; tests override what they vary. */
export interface CommandFields {
  team_id: string
  enterprise_id?: string
  channel_id: string
  user_id: string
  text: string
  trigger_id: string
  response_url: string
}

/** A slash-command request signed the way Slack signs it (v0, HMAC-SHA256 of `v0:ts:body`). */
export function signedCommand(
  secret: string,
  fields: CommandFields,
  options: { timestamp?: number; signature?: string } = {},
): { headers: Record<string, string>; body: string } {
  const body = new URLSearchParams({
    token: 'deprecated-verification-token',
    command: '/dump',
    team_domain: 'acme',
    channel_name: 'dev',
    user_name: 'someone',
    api_app_id: 'A0DUMPLING',
    ...fields,
  }).toString()
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000)
  const signature = options.signature ?? slackSignature(secret, timestamp, body)
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
    },
    body,
  }
}

export function triggerId(): string {
  return `${Date.now()}.${randomBytes(6).toString('hex')}`
}

export interface Posted {
  path: string
  body: Record<string, unknown>
}

/**
 * A local stand-in for Slack's side: the Web API under /api/ (SLACK_API_URL points
 * here) and response_urls under /response/<id>. It records every post.
 */
export interface SlackStub {
  apiUrl: string
  /** A fresh response_url; `expired: true` answers 404 like a used-up one. */
  responseUrl(options?: { expired?: boolean }): string
  /** Every post so far, in order. */
  posts: Posted[]
  /** Resolves with the `n`-th post (1-based) to `response_url`, or rejects after `ms`. */
  replies(url: string, n?: number, ms?: number): Promise<Posted[]>
  /** Resolves once `n` posts match (the audit channel batches, so its posts come later), or rejects after `ms`. */
  waitFor(match: (p: Posted) => boolean, n?: number, ms?: number): Promise<Posted[]>
  /** Members per user group for usergroups.users.list. */
  groups: Record<string, string[]>
  /** Web API methods that answer `{ ok: false, error }`. */
  failing: Record<string, string>
  close(): Promise<void>
}

export async function startSlackStub(): Promise<SlackStub> {
  const posts: Posted[] = []
  const expired = new Set<string>()
  const waiters: Array<() => void> = []
  const groups: Record<string, string[]> = {}
  const failing: Record<string, string> = {}
  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req)
    const path = req.url ?? ''
    const body = parseBody(raw, req.headers['content-type'])
    posts.push({ path, body })
    for (const wake of waiters.splice(0)) wake()
    if (path.startsWith('/response/')) {
      res.writeHead(expired.has(path) ? 404 : 200).end(expired.has(path) ? 'expired_url' : 'ok')
      return
    }
    const method = path.replace(/^\/api\//, '')
    const error = failing[method]
    const result = error
      ? { ok: false, error }
      : method === 'usergroups.users.list'
        ? { ok: true, users: groups[String(body.usergroup)] ?? [] }
        : { ok: true, ts: '1.0', channel: body.channel }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const stub: SlackStub = {
    apiUrl: `${base}/api/`,
    posts,
    groups,
    failing,
    responseUrl(options = {}) {
      const path = `/response/${randomBytes(8).toString('hex')}`
      if (options.expired) expired.add(path)
      return `${base}${path}`
    },
    replies(url, n = 1, ms = 5000) {
      const path = new URL(url).pathname
      return stub.waitFor((p) => p.path === path, n, ms)
    },
    async waitFor(match, n = 1, ms = 5000) {
      const deadline = Date.now() + ms
      for (;;) {
        const got = posts.filter(match)
        if (got.length >= n) return got
        const left = deadline - Date.now()
        if (left <= 0) throw new Error(`expected ${n} matching post(s), got ${got.length}`)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left)
          waiters.push(() => {
            clearTimeout(timer)
            resolve()
          })
        })
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
  return stub
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function parseBody(raw: string, type: string | undefined): Record<string, unknown> {
  if (type?.includes('json')) return JSON.parse(raw || '{}')
  return Object.fromEntries(new URLSearchParams(raw))
}

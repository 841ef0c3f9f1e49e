import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { slackSignature } from './slack-signature.js'

/**
 * Slack's side of a conversation with `dumpling serve`, played on this machine:
 * the Web API under `/api/` (point SLACK_API_URL at `apiUrl`) and response_urls
 * under `/response/<id>`. The serve bench and `dumpling demo` talk to it; Slack's
 * real endpoints cannot run here.
 */
export interface SlackStandIn {
  /** SLACK_API_URL for `dumpling serve`. */
  apiUrl: string
  /** A fresh response_url; `waitForReply` hears what is posted to it. */
  responseUrl(): { id: string; url: string }
  /** The JSON body posted to response_url `id` (`text`, `response_type`…); rejects after `ms`. */
  waitForReply(id: string, ms: number): Promise<SlackReply>
  close(): Promise<void>
}

export interface SlackReply {
  text?: string
  response_type?: string
  [key: string]: unknown
}

/** The fields Slack posts for a slash command. */
export interface SlashCommandFields {
  team_id: string
  channel_id: string
  user_id: string
  text: string
  trigger_id: string
  response_url: string
  command?: string
}

export async function startSlackStandIn(): Promise<SlackStandIn> {
  const waiting = new Map<string, (reply: SlackReply) => void>()
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req)
    const match = /^\/response\/(.+)$/.exec(req.url ?? '')
    if (match?.[1]) {
      waiting.get(match[1])?.(JSON.parse(body || '{}') as SlackReply)
      waiting.delete(match[1])
      res.writeHead(200).end('ok')
      return
    }
    // chat.postMessage (the audit channel) and anything else the app calls: all fine.
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"ts":"1.0"}')
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    apiUrl: `${base}/api/`,
    responseUrl() {
      const id = randomBytes(8).toString('hex')
      return { id, url: `${base}/response/${id}` }
    },
    waitForReply(id, ms) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(id)
          reject(new Error(`no reply within ${ms / 1000} s`))
        }, ms)
        waiting.set(id, (reply) => {
          clearTimeout(timer)
          resolve(reply)
        })
      })
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      }),
  }
}

/** A slash-command request signed the way Slack signs it: v0, HMAC-SHA256 of `v0:ts:body`. */
export function signedCommand(
  secret: string,
  fields: SlashCommandFields,
): { headers: Record<string, string>; body: string } {
  const body = new URLSearchParams({ token: 'x', command: '/dump', ...fields }).toString()
  const timestamp = Math.floor(Date.now() / 1000)
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(secret, timestamp, body),
    },
    body,
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
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
  /** The raw JSON text posted to response_url `id`, unparsed (the serve bench); rejects after `ms`. */
  waitForReplyText(id: string, ms: number): Promise<string>
  close(): Promise<void>
}

const responsePath = '/response/'

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
  const waiting = new Map<string, (body: string) => void>()
  // Events, not `for await`: the async iterator cost the bench a tenth of a millisecond a reply.
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.once('end', () => {
      const url = req.url ?? ''
      if (url.startsWith(responsePath)) {
        const id = url.slice(responsePath.length)
        const heard = waiting.get(id)
        waiting.delete(id)
        heard?.(Buffer.concat(chunks).toString('utf8'))
        res.writeHead(200).end('ok')
        return
      }
      // chat.postMessage (the audit channel) and anything else the app calls: all fine.
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true,"ts":"1.0"}')
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const waitForText = (id: string, ms: number) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id)
        reject(new Error(`no reply within ${ms / 1000} s`))
      }, ms)
      waiting.set(id, (body) => {
        clearTimeout(timer)
        resolve(body)
      })
    })
  return {
    apiUrl: `${base}/api/`,
    responseUrl() {
      const id = randomBytes(8).toString('hex')
      return { id, url: `${base}${responsePath}${id}` }
    },
    async waitForReply(id, ms) {
      return JSON.parse((await waitForText(id, ms)) || '{}') as SlackReply
    },
    waitForReplyText: waitForText,
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
  const body = commandBody(fields)
  return { headers: signedHeaders(secret, body), body }
}

/** The form body Slack posts for a slash command. */
export function commandBody(fields: SlashCommandFields): string {
  return new URLSearchParams({ token: 'x', command: '/dump', ...fields }).toString()
}

/** The headers that sign `body` now, as Slack sends them. */
export function signedHeaders(secret: string, body: string): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000)
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(secret, timestamp, body),
  }
}

import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { App, CustomRoute, Receiver, ReceiverEvent } from '@slack/bolt'
import type { Logger } from '../logger.js'
import type { PhaseRecorder } from './phase-recorder.js'

export interface SlackReceiverOptions {
  signingSecret: string
  log: Logger
  /** GET routes on the same server (health, downloads); `:name` matches one path segment. */
  routes: CustomRoute[]
  /** Where Slack posts commands (the app manifest's request URL). */
  path?: string
  /** Larger request bodies get 413 (unread when their length is declared); Bolt's HTTPReceiver allows 4 MiB too. */
  bodyLimit?: number
  now?: () => number
  /** Told of each request's work in Bolt (until its listeners finish), e.g. to wait for it at shutdown. */
  track?: (work: Promise<unknown>) => void
  /** Bench-only: each command's arrival and ack times (by its trigger_id). */
  phases?: PhaseRecorder | undefined
}

/** Slack's rule: a request whose timestamp is more than 5 minutes off is refused (replays). */
const maxSkewSeconds = 5 * 60

/**
 * Bolt's HTTP receiver, doing only what `dumpling serve` needs: one node:http server, the
 * body read once (bounded), Slack's v0 signature checked (HMAC-SHA256 of `v0:ts:body`,
 * compared in constant time, timestamp within 5 minutes) before anything else looks at
 * the body, the form parsed with URLSearchParams, and the ack written at once. Bolt
 * stays the app: `app.processEvent` runs its middleware, listeners, `ack` and logger.
 * Bolt's HTTPReceiver also ran raw-body, a path-to-regexp match per route per request
 * and a 3-second timer per request (README, "The Slack app under load").
 * A request nothing acks (a command no listener handles) gets 404 once Bolt is done with it.
 */
export class SlackReceiver implements Receiver {
  private app: App | undefined
  private server: Server | undefined
  private readonly path: string
  private readonly bodyLimit: number
  private readonly now: () => number
  private readonly routes: Array<{ match: (path: string) => boolean; route: CustomRoute }>

  constructor(private readonly options: SlackReceiverOptions) {
    this.path = options.path ?? '/slack/events'
    this.bodyLimit = options.bodyLimit ?? 4 * 1024 * 1024
    this.now = options.now ?? Date.now
    this.routes = options.routes.map((route) => ({ match: pathMatcher(route.path), route }))
  }

  init(app: App): void {
    this.app = app
  }

  /** Listen on `port` (of `host`, default all); resolves with the server, rejects when the port is taken. */
  start(port: number, host?: string): Promise<Server> {
    const server = createServer((req, res) => this.route(req, res))
    this.server = server
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve(server)
      })
    })
  }

  /** Stop taking connections; requests in progress finish. */
  stop(): Promise<void> {
    const server = this.server
    this.server = undefined
    if (!server) return Promise.resolve()
    return new Promise((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()))
      server.closeIdleConnections()
    })
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q < 0 ? url : url.slice(0, q)
    if (path === this.path && req.method === 'POST') {
      this.receive(req, res)
      return
    }
    const method = req.method ?? 'GET'
    for (const { match, route } of this.routes) {
      const methods = typeof route.method === 'string' ? [route.method] : route.method
      if (match(path) && methods.includes(method)) {
        route.handler(req as Parameters<CustomRoute['handler']>[0], res)
        return
      }
    }
    noBody(res, 404)
  }

  private receive(req: IncomingMessage, res: ServerResponse): void {
    const receivedAt = this.options.phases ? performance.now() : 0
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > this.bodyLimit) {
      this.refuse(req, res, 413, `request body over the limit of ${this.bodyLimit} bytes`)
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let over = false
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > this.bodyLimit) {
        if (!over)
          this.refuse(req, res, 413, `request body over the limit of ${this.bodyLimit} bytes`)
        over = true
        return
      }
      chunks.push(chunk)
    })
    req.once('end', () => {
      if (over) return
      try {
        const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)
        this.verified(req, res, raw, receivedAt)
      } catch (err) {
        // A throw here would end the process (no caller above an 'end' handler).
        this.refuse(req, res, 500, `request not handled (${(err as Error).name})`)
      }
    })
    req.once('error', () => res.destroy())
  }

  private verified(
    req: IncomingMessage,
    res: ServerResponse,
    raw: Buffer,
    receivedAt: number,
  ): void {
    const text = raw.toString('utf8')
    const form = req.headers['content-type'] === 'application/x-www-form-urlencoded'
    // Slack's SSL check is not signed; answer it and run nothing (as Bolt does).
    if (
      form &&
      text.startsWith('ssl_check=1') &&
      new URLSearchParams(text).get('ssl_check') === '1'
    ) {
      noBody(res, 200)
      return
    }
    const problem = checkSignature(this.options.signingSecret, req.headers, raw, this.now())
    if (problem) {
      this.refuse(req, res, 401, problem)
      return
    }
    let body: unknown
    try {
      body = form ? parseForm(text) : JSON.parse(text)
    } catch (err) {
      this.refuse(req, res, 400, `malformed request body (${(err as Error).name})`)
      return
    }
    if (!isPlainObject(body)) {
      this.refuse(req, res, 400, 'malformed request body (not an object)')
      return
    }
    if (body.type === 'url_verification') {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ challenge: body.challenge }))
      return
    }
    this.dispatch(req, res, body, receivedAt)
  }

  private dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    body: Record<string, unknown>,
    receivedAt: number,
  ): void {
    let acked = false
    const phases = this.options.phases
    const trigger = phases && typeof body.trigger_id === 'string' ? body.trigger_id : null
    if (trigger) phases?.mark(trigger, 'received', receivedAt)
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => {
        if (acked) throw new Error('ack() was called twice for one request')
        acked = true
        answer(res, response)
        if (trigger) phases?.mark(trigger, 'acked')
      },
      retryNum: retryNum(req.headers['x-slack-retry-num']),
      retryReason: header(req.headers['x-slack-retry-reason']),
    }
    const app = this.app
    if (!app) {
      noBody(res, 503)
      return
    }
    const work = app.processEvent(event)
    this.options.track?.(work)
    work.then(
      () => {
        if (!acked) {
          acked = true
          this.options.log.warn('a request no listener acknowledged got 404')
          noBody(res, 404)
        }
      },
      (err: unknown) => {
        this.options.log.error({ name: (err as Error)?.name }, 'Bolt failed on a request')
        if (!acked && !res.headersSent) {
          acked = true
          noBody(res, 500)
        }
      },
    )
  }

  private refuse(req: IncomingMessage, res: ServerResponse, status: number, why: string): void {
    this.options.log.warn({ status, method: req.method }, `request refused: ${why}`)
    res.writeHead(status, { connection: 'close' })
    res.end()
    req.resume()
  }
}

/**
 * Why a request's v0 signature does not hold, or null when it does. The body is the raw
 * bytes as received (what Slack signs); the comparison takes the same time wherever the digests differ.
 */
export function checkSignature(
  secret: string,
  headers: IncomingMessage['headers'],
  body: Buffer | string,
  nowMs: number,
): string | null {
  const signature = headers['x-slack-signature']
  const timestamp = headers['x-slack-request-timestamp']
  if (typeof signature !== 'string' || typeof timestamp !== 'string') {
    return 'the x-slack-signature or x-slack-request-timestamp header is missing'
  }
  const seconds = Number(timestamp)
  if (!/^\d+$/.test(timestamp) || Math.abs(nowMs / 1000 - seconds) > maxSkewSeconds) {
    return 'x-slack-request-timestamp is not within 5 minutes of now'
  }
  const expected = Buffer.from(
    `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`,
  )
  const given = Buffer.from(signature)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return 'the signature does not match'
  }
  return null
}

function parseForm(text: string): unknown {
  const body: Record<string, string> = {}
  for (const [key, value] of new URLSearchParams(text)) body[key] = value
  // Interactive payloads (buttons, views) come as one JSON field.
  return typeof body.payload === 'string' ? JSON.parse(body.payload) : body
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** An ack's answer: nothing, text, or JSON (what Bolt's receivers write). */
function answer(res: ServerResponse, response: unknown): void {
  if (!response) {
    noBody(res, 200)
  } else if (typeof response === 'string') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
    res.end(response)
  } else {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(response))
  }
}

function noBody(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-length': 0 })
  res.end()
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function retryNum(value: string | string[] | undefined): number | undefined {
  const v = header(value)
  return v === undefined ? undefined : Number.parseInt(v, 10)
}

/** `/download/:token` matches `/download/abc` (one non-empty segment per `:name`). */
function pathMatcher(pattern: string): (path: string) => boolean {
  const want = pattern.split('/')
  return (path) => {
    const got = path.split('/')
    return (
      got.length === want.length &&
      want.every((w, i) => (w.startsWith(':') ? (got[i] ?? '') !== '' : w === got[i]))
    )
  }
}

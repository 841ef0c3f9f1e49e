import { Connection, type ConnectionEvents, Origin, Post } from './reply-connection.js'
import type { Reply } from './views/replies.js'

/** Posts replies to commands' `response_url`s over kept-alive connections. */
export interface ResponseUrlPoster {
  /** Resolves once Slack took the reply; rejects (never naming the URL) when it did not. */
  post(responseUrl: string, reply: Reply): Promise<void>
  /** Close every connection and reject the posts still waiting (shutdown, after draining). */
  close(): void
}

/** What tests change; production takes the defaults. */
export interface ResponseUrlPosterOptions {
  /** A kept-alive connection unused this long (ms) is closed by us. Default 4000. */
  idleMs?: number
  /** Certificates to trust instead of Node's own (a test's self-signed server). */
  ca?: string | Buffer
}

/** At most this many connections to one origin; more posts wait their turn. */
const connectionsPerOrigin = 64
/** Taken off a server's `keep-alive: timeout=N` hint: its close must not race our reuse. */
const hintMarginMs = 1000

/**
 * What Bolt's `respond()` does, at a fraction of the CPU: one hand-written HTTP/1.1
 * request per reply over `net`/`tls` sockets (README, "The Slack app under load":
 * 0.86 ms of serve's CPU a request against 1.06 through undici's `Agent.request()`).
 *
 * - http: and https: (certificates checked as Node does, SNI, ALPN `http/1.1`).
 * - Connections per origin, kept alive, reused most-recently-used first, at most 64;
 *   more posts wait, first come first served.
 * - A connection unused for `idleMs` (4 s) is closed by us, before a server's usual 5 s
 *   idle timeout closes it under a request; a server's `keep-alive: timeout=N` that is
 *   shorter wins, less 1 s (≤ 0: the connection is not reused). Not reused either: an
 *   answer with `connection: close`, HTTP/1.0 without `keep-alive`, a body that runs to
 *   the close, or bytes after the answer.
 * - `timeoutMs` (10 s) for the whole post: waiting, connecting, writing, the full answer.
 *   One periodic sweep (every 250 ms, or a tenth of `timeoutMs` or `idleMs` if less;
 *   unref'd, running only while there are connections or waiting posts) watches every
 *   connection and waiting post: no timer per post.
 * - One retry: a post on a reused connection that fails before any byte of its answer
 *   was read is sent once more on a fresh connection (the server's idle close raced it).
 * - Errors never name the URL (a bearer token).
 */
export function createResponseUrlPoster(
  timeoutMs = 10_000,
  options: ResponseUrlPosterOptions = {},
): ResponseUrlPoster {
  return new Poster(timeoutMs, options.idleMs ?? 4000, options.ca)
}

class Poster implements ResponseUrlPoster, ConnectionEvents {
  private readonly origins = new Map<string, Origin>()
  private readonly connections = new Set<Connection>()
  private readonly sweepMs: number
  private readonly sweepBound = () => this.sweep()
  private timer: NodeJS.Timeout | null = null
  private shut = false

  constructor(
    private readonly timeoutMs: number,
    private readonly idleMs: number,
    private readonly ca: string | Buffer | undefined,
  ) {
    this.sweepMs = Math.max(5, Math.min(250, timeoutMs / 10, idleMs / 10))
  }

  post(responseUrl: string, reply: Reply): Promise<void> {
    return new Promise((resolve, reject) => this.start(responseUrl, reply, resolve, reject))
  }

  close(): void {
    this.shut = true
    for (const c of this.connections) this.abandon(c, closedError())
    for (const o of this.origins.values()) {
      for (const p of o.waiting.splice(0)) p.reject(closedError())
    }
    this.origins.clear()
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }

  /** A socket's bytes: the current post's answer, or nothing anyone asked for. */
  read(c: Connection, chunk: Buffer): void {
    const post = c.post
    if (post === null) {
      // Nothing was asked: never reuse it, even before its close is heard.
      c.idleUntil = 0
      c.socket.destroy()
      return
    }
    c.answering = true
    const res = c.response
    let end: number
    try {
      end = res.feed(chunk)
    } catch (err) {
      this.abandon(c, new Error(`response_url sent a malformed answer: ${(err as Error).message}`))
      return
    }
    if (end < 0) return
    c.post = null
    const status = res.status
    const hint = res.keepAliveMs === null ? this.idleMs : res.keepAliveMs - hintMarginMs
    if (end < chunk.length || !res.keepAlive || hint <= 0 || this.shut) c.socket.destroy()
    else this.release(c, Math.min(hint, this.idleMs))
    settle(post, status)
  }

  /** A socket closed: forget it; its post is retried, ended or failed; a waiting post may connect. */
  closed(c: Connection): void {
    this.connections.delete(c)
    const o = c.origin
    o.open--
    const i = o.idle.lastIndexOf(c)
    if (i >= 0) o.idle.splice(i, 1)
    const post = c.post
    c.post = null
    if (post) {
      // A body with neither a length nor chunks ends with the connection.
      if (c.response.untilClose && c.error === null) settle(post, c.response.status)
      else if (c.reused && !c.answering && !post.retried && !this.shut) {
        // The server closed a kept-alive connection as the reply went out, before any
        // answer: almost surely it never read the reply (at worst the requester sees it
        // twice). Node's docs advise this one retry on a fresh connection.
        post.retried = true
        this.send(this.connect(o), post)
      } else post.reject(postError(c.error))
    }
    const next = o.open < connectionsPerOrigin && !this.shut ? o.waiting.shift() : undefined
    if (next) this.send(this.connect(o), next)
    if (o.open === 0 && o.waiting.length === 0 && this.origins.get(o.key) === o) {
      this.origins.delete(o.key)
    }
  }

  private start(
    responseUrl: string,
    reply: Reply,
    resolve: () => void,
    reject: (err: Error) => void,
  ): void {
    const url = parseUrl(responseUrl)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new Error(`response_url has an unknown scheme ${url.protocol}`)
    }
    if (this.shut) throw closedError()
    const body = JSON.stringify(reply)
    const request =
      `POST ${url.pathname}${url.search} HTTP/1.1\r\nhost: ${url.host}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
    const now = performance.now()
    const o = this.origin(url)
    const post = new Post(o, request, now + this.timeoutMs, resolve, reject)
    for (let c = o.idle.pop(); c !== undefined; c = o.idle.pop()) {
      if (now < c.idleUntil) {
        this.send(c, post)
        return
      }
      c.socket.destroy()
    }
    if (o.open < connectionsPerOrigin) this.send(this.connect(o), post)
    else {
      o.waiting.push(post)
      this.watch()
    }
  }

  private origin(url: URL): Origin {
    const tls = url.protocol === 'https:'
    const port = url.port === '' ? (tls ? 443 : 80) : Number(url.port)
    const key = `${url.protocol}//${url.hostname}:${port}`
    let o = this.origins.get(key)
    if (o === undefined) {
      // An IPv6 literal is bracketed in the URL, not in what the socket connects to.
      const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname
      o = new Origin(key, host, port, tls)
      this.origins.set(key, o)
    }
    return o
  }

  private connect(o: Origin): Connection {
    const c = new Connection(this, o, this.ca)
    o.open++
    this.connections.add(c)
    return c
  }

  /** Writes the post's whole request (one write; the socket holds it until connected). */
  private send(c: Connection, post: Post): void {
    c.post = post
    c.answering = false
    c.response.reset()
    c.socket.write(post.request)
    this.watch()
  }

  /** An answered connection goes to the first waiting post, or waits `ms` for one. */
  private release(c: Connection, ms: number): void {
    c.reused = true
    const next = c.origin.waiting.shift()
    if (next) {
      this.send(c, next)
      return
    }
    c.idleUntil = performance.now() + ms
    c.origin.idle.push(c)
  }

  /** Ends a connection now, failing its post (no retry). */
  private abandon(c: Connection, err: Error): void {
    const post = c.post
    c.post = null
    c.socket.destroy()
    post?.reject(err)
  }

  private watch(): void {
    if (this.timer !== null) return
    this.timer = setInterval(this.sweepBound, this.sweepMs)
    this.timer.unref()
  }

  /** The one timer: posts past their time fail, idle connections past theirs close. */
  private sweep(): void {
    const now = performance.now()
    for (const c of this.connections) {
      if (c.post !== null) {
        if (now >= c.post.deadline) this.abandon(c, timeoutError(this.timeoutMs))
      } else if (now >= c.idleUntil) c.socket.destroy()
    }
    let waiting = 0
    for (const o of this.origins.values()) {
      // Every post has the same time, so the first to wait is the first to be late.
      while ((o.waiting[0]?.deadline ?? Infinity) <= now) {
        o.waiting.shift()?.reject(timeoutError(this.timeoutMs))
      }
      waiting += o.waiting.length
    }
    if (this.connections.size === 0 && waiting === 0 && this.timer !== null) {
      clearInterval(this.timer)
      this.timer = null
    }
  }
}

class StatusError extends Error {}

/** A whole answer: 2xx took the reply, anything else did not. */
function settle(post: Post, status: number): void {
  if (status >= 200 && status < 300) post.resolve()
  else post.reject(new StatusError(`response_url answered HTTP ${status}`))
}

/** Not `new URL()`'s own error: it carries the input (a bearer token) along. */
function parseUrl(responseUrl: string): URL {
  try {
    return new URL(responseUrl)
  } catch {
    throw new Error('response_url is not a URL')
  }
}

function timeoutError(timeoutMs: number): Error {
  return new Error(`response_url did not answer within ${timeoutMs} ms`)
}

function closedError(): Error {
  return new Error('response_url could not be reached (the poster was closed)')
}

/** The error a caller sees: what went wrong, never the URL (a bearer token). */
function postError(err: (Error & { code?: string }) | null): Error {
  const why = err?.code ?? (err ? err.name : 'closed before the answer')
  return Object.assign(new Error(`response_url could not be reached (${why})`, { cause: err }), {
    code: err?.code,
  })
}

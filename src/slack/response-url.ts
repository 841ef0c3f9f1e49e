import type { Socket } from 'node:net'
import { Agent, buildConnector } from 'undici'
import type { Reply } from './views/replies.js'

/** Posts replies to commands' `response_url`s over kept-alive connections. */
export interface ResponseUrlPoster {
  /** Resolves once Slack took the reply; rejects (never naming the URL) when it did not. */
  post(responseUrl: string, reply: Reply): Promise<void>
  /** Close the kept-alive connections (shutdown). */
  close(): void
}

/**
 * A kept-alive connection unused this long is closed by us, before a server's usual
 * 5-second idle timeout closes it under a request. A shorter hint in the server's
 * Keep-Alive header wins (less undici's 2 s margin); a longer one does not.
 */
const idleMs = 4000

/** Marks a raw socket error with whether it ended a reused connection before any answer. */
const onStale = Symbol('stale connection')

/** What a live connection had read when its latest request went out. */
interface Started {
  socket: Socket
  bytesRead: number
}

/**
 * What Bolt's `respond()` does, at a fraction of the CPU: `respond()` goes through
 * `fetch` (about 0.6 ms more per post than node:http), and undici's own `request()`
 * costs less again than node:http (about 70–100 against 125–175 µs a post, 2,000 posts
 * 50 at a time to a local server; README, "The Slack app under load"). Connections to
 * Slack are kept alive between replies; http and https both.
 */
export function createResponseUrlPoster(timeoutMs = 10_000): ResponseUrlPoster {
  const connect = buildConnector({ timeout: timeoutMs })
  /**
   * By local port: undici's "other side closed" error names the connection only by its
   * addresses and how much it had read. A connection is stale when it had carried an
   * answer before its latest request went out, and has read nothing since.
   */
  const started = new Map<number, Started>()
  const agent = new Agent({
    connections: 64,
    keepAliveTimeout: idleMs,
    keepAliveMaxTimeout: idleMs,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: (options, callback) =>
      connect(options, (err, socket) => {
        if (err) {
          callback(err, null)
          return
        }
        const port = socket.localPort
        const entry: Started = { socket, bytesRead: 0 }
        if (port !== undefined) started.set(port, entry)
        // Requests are not pipelined: each one's writes come before any of its answer.
        const write = socket.write
        socket.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
          entry.bytesRead = socket.bytesRead
          return write.apply(this, args)
        } as Socket['write']
        // undici passes a raw reset on without saying whether the connection was new.
        socket.prependListener('error', (e: Error) => {
          Object.assign(e, { [onStale]: isStaleNow(entry, socket.bytesRead) })
        })
        socket.once('close', () => {
          // Long enough for the failed request's error to be judged; then forgotten.
          setTimeout(() => {
            if (port !== undefined && started.get(port) === entry) started.delete(port)
          }, 1000).unref()
        })
        callback(null, socket)
      }),
  })
  const isStale = (err: unknown): boolean => {
    const e = err as {
      code?: string
      socket?: { localPort?: number; bytesRead?: number }
      [onStale]?: boolean
    }
    if (e.code === 'ECONNRESET') return e[onStale] === true
    if (e.code !== 'UND_ERR_SOCKET' || e.socket?.localPort === undefined) return false
    const entry = started.get(e.socket.localPort)
    return entry !== undefined && isStaleNow(entry, e.socket.bytesRead ?? -1)
  }
  return {
    async post(responseUrl, reply) {
      const url = new URL(responseUrl)
      if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new Error(`response_url has an unknown scheme ${url.protocol}`)
      }
      const body = JSON.stringify(reply)
      try {
        await postOnce(agent, url, body)
      } catch (err) {
        // The server closed a kept-alive connection as the reply went out, before any
        // answer: almost surely it never read the reply (at worst the requester sees it
        // twice). Node's docs advise this one retry on a fresh connection.
        if (!isStale(err)) throw postError(err, timeoutMs)
        await postOnce(agent, url, body).catch((again: unknown) => {
          throw postError(again, timeoutMs)
        })
      }
    },
    close() {
      void agent.destroy().catch(() => {})
    },
  }
}

async function postOnce(agent: Agent, url: URL, body: string): Promise<void> {
  const res = await agent.request({
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  })
  // Read the (short) answer so the connection can carry the next reply.
  await res.body.dump()
  if (res.statusCode < 200 || res.statusCode >= 300) {
    throw new StatusError(`response_url answered HTTP ${res.statusCode}`)
  }
}

class StatusError extends Error {}

/**
 * A request that failed before any of its answer, on a connection that had already
 * carried one: the server's idle close raced the reply. A fresh connection that fails,
 * or one that had begun to answer, is never sent the reply again.
 */
function isStaleNow(entry: Started, bytesReadNow: number): boolean {
  return entry.bytesRead > 0 && bytesReadNow === entry.bytesRead
}

/** The error a caller sees: what went wrong, never the URL (a bearer token). */
function postError(err: unknown, timeoutMs: number): Error {
  if (err instanceof StatusError) return err
  const code = (err as { code?: string }).code
  if (
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return new Error(`response_url did not answer within ${timeoutMs} ms`, { cause: err })
  }
  const why = code ?? (err as Error).name ?? 'error'
  return Object.assign(new Error(`response_url could not be reached (${why})`, { cause: err }), {
    code,
  })
}

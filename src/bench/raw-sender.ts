import { connect, type Socket } from 'node:net'
import { Http1Response } from '../slack/http1-response.js'

/**
 * The serve bench's side of Slack's request sender: requests signed and encoded before
 * the clock starts, each written as one buffer on a kept-alive connection, its answer
 * read by the response_url poster's parser (`Http1Response`). undici's Pool cost the load generator, which shares the cores with
 * serve, a few tenths of a millisecond a request more (README, "The Slack app under load").
 */
export interface RawSender {
  /** Writes one whole request (head and body); resolves with the status once the answer is read. */
  send(request: Buffer): Promise<number>
  close(): void
}

/** An idle connection unused this long is closed, before serve's 5 s keep-alive timeout can close it under a request. */
const idleMs = 4000
/** A request with no answer for this long fails (counted among the errors) instead of hanging the bench. */
const defaultAnswerMs = 10_000

export function createRawSender(
  port: number,
  host = '127.0.0.1',
  answerMs = defaultAnswerMs,
): RawSender {
  const idle: Connection[] = []
  const all = new Set<Connection>()
  const take = (): Connection => {
    const now = performance.now()
    for (let c = idle.pop(); c; c = idle.pop()) {
      if (!c.closed && now - c.lastUsed < idleMs) return c
      c.destroy()
    }
    const c = new Connection(port, host, answerMs, () => all.delete(c))
    all.add(c)
    return c
  }
  return {
    async send(request) {
      const c = take()
      const status = await c.send(request)
      if (!c.closed) idle.push(c)
      return status
    },
    close() {
      for (const c of all) c.destroy()
    },
  }
}

/** One connection, one request at a time. */
class Connection {
  closed = false
  lastUsed = performance.now()
  private readonly socket: Socket
  private readonly response = new Http1Response()
  private waiting: { resolve: (status: number) => void; reject: (err: Error) => void } | null = null

  constructor(
    port: number,
    host: string,
    private readonly answerMs: number,
    onClose: () => void,
  ) {
    this.socket = connect({ port, host, noDelay: true })
    this.socket.on('data', (chunk: Buffer) => this.read(chunk))
    this.socket.on('error', (err) => this.fail(err))
    // Armed by send(), disarmed once the answer is read: one listener for the connection's life.
    this.socket.on('timeout', () => {
      this.fail(new Error(`no answer within ${this.answerMs / 1000} s`))
      this.destroy()
    })
    this.socket.once('close', () => {
      this.closed = true
      onClose()
      // A body with neither a length nor chunks ends with the connection.
      if (this.response.untilClose) this.answered(this.response.status)
      else this.fail(new Error('the connection closed before the answer'))
    })
  }

  send(request: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject }
      this.response.reset()
      this.socket.setTimeout(this.answerMs)
      this.socket.write(request)
    })
  }

  destroy(): void {
    this.closed = true
    this.socket.destroy()
  }

  private read(chunk: Buffer): void {
    let end: number
    try {
      end = this.response.feed(chunk)
    } catch (err) {
      this.fail(err as Error)
      this.destroy()
      return
    }
    if (end < 0) return
    this.socket.setTimeout(0)
    this.lastUsed = performance.now()
    if (!this.response.keepAlive || end < chunk.length) this.destroy()
    this.answered(this.response.status)
  }

  private answered(status: number): void {
    const waiting = this.waiting
    this.waiting = null
    waiting?.resolve(status)
  }

  private fail(err: Error): void {
    const waiting = this.waiting
    this.waiting = null
    waiting?.reject(err)
  }
}

/** A POST as one buffer: head and body, encoded once. */
export function encodeRequest(
  path: string,
  headers: Record<string, string>,
  body: string,
  host = '127.0.0.1',
): Buffer {
  const lines = [`POST ${path} HTTP/1.1`, `host: ${host}`]
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`)
  lines.push(`content-length: ${Buffer.byteLength(body)}`, '', '')
  return Buffer.from(lines.join('\r\n') + body)
}

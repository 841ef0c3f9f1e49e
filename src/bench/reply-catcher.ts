import { type AddressInfo, createServer, type Socket } from 'node:net'
import { parseHttpHead } from './http-head.js'

/**
 * Slack's response_url endpoint for the serve bench: a TCP server that reads each
 * POST by hand and answers `200 ok` on the kept-alive connection. The Slack stand-in's
 * node:http server did the same at several times the CPU, on cores serve shares. Any
 * other path is answered 200 and otherwise ignored (the load generator's warm-up acks).
 */
export interface ReplyCatcher {
  /** `http://127.0.0.1:PORT`. */
  origin: string
  /** A fresh response_url and its id. */
  responseUrl(): { id: string; url: string }
  /** The raw JSON text posted to response_url `id`; rejects after `ms`. */
  waitForReplyText(id: string, ms: number): Promise<string>
  close(): Promise<void>
}

const responsePath = '/response/'
const ok = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')
const lengthRequired = Buffer.from(
  'HTTP/1.1 411 Length Required\r\ncontent-length: 0\r\nconnection: close\r\n\r\n',
)

interface Waiting {
  resolve: (text: string) => void
  reject: (err: Error) => void
  deadline: number
  ms: number
}

export async function startReplyCatcher(): Promise<ReplyCatcher> {
  const waiting = new Map<string, Waiting>()
  const sockets = new Set<Socket>()
  const heard = (path: string, body: string) => {
    if (!path.startsWith(responsePath)) return
    const id = path.slice(responsePath.length)
    const w = waiting.get(id)
    waiting.delete(id)
    w?.resolve(body)
  }
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.setNoDelay(true)
    let buffered: Buffer | null = null
    socket.on('data', (chunk: Buffer) => {
      let buf: Buffer = buffered ? Buffer.concat([buffered, chunk]) : chunk
      for (;;) {
        const head = parseHttpHead(buf)
        if (head && (head.chunked || head.contentLength === null)) {
          socket.end(lengthRequired)
          return
        }
        const end = head ? head.bodyStart + (head.contentLength ?? 0) : 0
        if (!head || buf.length < end) break
        const path = head.firstLine.split(' ')[1] ?? ''
        heard(path, buf.toString('utf8', head.bodyStart, end))
        socket.write(ok)
        buf = buf.subarray(end)
      }
      buffered = buf.length > 0 ? buf : null
    })
    socket.on('error', () => socket.destroy())
  })
  // One timer for all waiting replies, not one each.
  const sweep = setInterval(() => {
    const now = performance.now()
    for (const [id, w] of waiting) {
      if (w.deadline > now) continue
      waiting.delete(id)
      w.reject(new Error(`no reply within ${w.ms / 1000} s`))
    }
  }, 100)
  sweep.unref()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  let next = 0
  return {
    origin,
    responseUrl() {
      const id = `r${next++}`
      return { id, url: `${origin}${responsePath}${id}` }
    },
    waitForReplyText: (id, ms) =>
      new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject, deadline: performance.now() + ms, ms })
      }),
    close: () =>
      new Promise((resolve) => {
        clearInterval(sweep)
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

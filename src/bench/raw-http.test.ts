import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createResponseUrlPoster } from '../slack/response-url.js'
import { parseHttpHead } from './http-head.js'
import { createRawSender, encodeRequest } from './raw-sender.js'
import { startReplyCatcher } from './reply-catcher.js'

const closers: Array<() => unknown> = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
})

async function nodeServer(handler: Parameters<typeof createServer>[1]): Promise<number> {
  const server: Server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(() => {
    server.closeAllConnections()
    return new Promise((resolve) => server.close(resolve))
  })
  return (server.address() as AddressInfo).port
}

describe('parseHttpHead', () => {
  it('waits for the blank line, reads content-length and connection whatever their case', () => {
    expect(parseHttpHead(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n'))).toBeNull()
    const head = parseHttpHead(
      Buffer.from('HTTP/1.1 401 Unauthorized\r\nCONTENT-LENGTH: 3\r\nConnection: close\r\n\r\nabc'),
    )
    expect(head).toEqual({
      firstLine: 'HTTP/1.1 401 Unauthorized',
      bodyStart: 67,
      contentLength: 3,
      chunked: false,
      close: true,
    })
  })

  it('marks a chunked body and ignores a content-length beside it', () => {
    const head = parseHttpHead(
      Buffer.from('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 3\r\n\r\n'),
    )
    expect(head).toMatchObject({ chunked: true, contentLength: null })
  })
})

describe('createRawSender', () => {
  it("sends whole requests and reads node:http's answers on one kept-alive connection", async () => {
    const seen: Array<{ body: string; signature: unknown; socket: unknown }> = []
    const port = await nodeServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c))
      req.on('end', () => {
        seen.push({ body, signature: req.headers['x-slack-signature'], socket: req.socket })
        res.writeHead(seen.length === 2 ? 401 : 200, { 'content-type': 'text/plain' })
        res.end('x'.repeat(seen.length * 10_000))
      })
    })
    const sender = createRawSender(port)
    closers.push(() => sender.close())
    const request = (body: string) =>
      encodeRequest('/slack/events', { 'x-slack-signature': 'v0=ab' }, body)
    expect(await sender.send(request('a=1'))).toBe(200)
    expect(await sender.send(request('b=2é'))).toBe(401)
    expect(await sender.send(request('c=3'))).toBe(200)
    expect(seen.map((s) => s.body)).toEqual(['a=1', 'b=2é', 'c=3'])
    expect(seen[0]?.signature).toBe('v0=ab')
    expect(seen[2]?.socket).toBe(seen[0]?.socket)
  })

  it('reads chunked answers whole, however they are split, and refuses a malformed one', async () => {
    let n = 0
    const port = await nodeServer((req, res) => {
      req.resume()
      req.on('end', () => {
        n++
        if (n === 1) {
          res.write('part')
          setTimeout(() => res.end('rest'), 20)
        } else if (n === 2) {
          res.writeHead(204).end()
        } else {
          req.socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n')
        }
      })
    })
    const sender = createRawSender(port)
    closers.push(() => sender.close())
    const request = encodeRequest('/', {}, 'x')
    expect(await sender.send(request)).toBe(200)
    expect(await sender.send(request)).toBe(204)
    await expect(sender.send(request)).rejects.toThrow('malformed chunk size')
  })

  it('rejects when the server closes the connection before answering', async () => {
    const port = await nodeServer((req) => req.socket.destroy())
    const sender = createRawSender(port)
    closers.push(() => sender.close())
    await expect(sender.send(encodeRequest('/', {}, 'x'))).rejects.toThrow(
      'closed before the answer',
    )
  })

  it('fails a request with no answer in time, and a later one on a new connection succeeds', async () => {
    let calls = 0
    const port = await nodeServer((_req, res) => {
      if (++calls > 1) res.writeHead(200).end('ok')
    })
    const sender = createRawSender(port, '127.0.0.1', 200)
    closers.push(() => sender.close())
    const request = encodeRequest('/', {}, 'x')
    await expect(sender.send(request)).rejects.toThrow('no answer within 0.2 s')
    for (let i = 0; i < 12; i++) expect(await sender.send(request)).toBe(200)
  })
})

describe('startReplyCatcher', () => {
  it("hears each reply serve's own poster sends, on a kept-alive connection", async () => {
    const catcher = await startReplyCatcher()
    closers.push(catcher.close)
    const poster = createResponseUrlPoster()
    closers.push(() => poster.close())
    const urls = [catcher.responseUrl(), catcher.responseUrl(), catcher.responseUrl()]
    const heard = urls.map((u) => catcher.waitForReplyText(u.id, 5000))
    for (const [i, u] of urls.entries()) {
      await poster.post(u.url, {
        response_type: 'ephemeral',
        unfurl_links: false,
        unfurl_media: false,
        text: `reply ${i} ${'é'.repeat(i * 9000)}`,
      })
    }
    const texts = await Promise.all(heard)
    expect(texts.map((t) => JSON.parse(t).text.slice(0, 7))).toEqual([
      'reply 0',
      'reply 1',
      'reply 2',
    ])
    expect(texts[2]).toContain('é'.repeat(18_000))
  })

  it('rejects a wait that hears nothing in time, and answers other paths without a reply', async () => {
    const catcher = await startReplyCatcher()
    closers.push(catcher.close)
    const { id } = catcher.responseUrl()
    const waiting = catcher.waitForReplyText(id, 150)
    const sender = createRawSender(Number(new URL(catcher.origin).port))
    closers.push(() => sender.close())
    expect(await sender.send(encodeRequest('/slack/events', {}, 'x'))).toBe(200)
    await expect(waiting).rejects.toThrow('no reply within 0.15 s')
  })

  it('refuses a chunked post and closes the connection', async () => {
    const catcher = await startReplyCatcher()
    closers.push(catcher.close)
    const { origin } = catcher
    const res = await fetch(`${origin}/response/x`, {
      method: 'POST',
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode('{}'))
          c.close()
        },
      }),
      duplex: 'half',
    } as RequestInit)
    expect(res.status).toBe(411)
  })
})

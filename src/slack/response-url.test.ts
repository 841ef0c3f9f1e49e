import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createResponseUrlPoster } from './response-url.js'
import { reply } from './views/replies.js'

// A local stand-in for Slack's response_url endpoint: real HTTP, nothing mocked.
let server: Server | null = null
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
  server = null
})

async function listen(
  handle: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<{ base: string; connections: () => number }> {
  let connections = 0
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk) => {
      body += chunk
    })
    req.on('end', () => handle(req, body, res))
  })
  server.on('connection', () => connections++)
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { base: `http://127.0.0.1:${port}`, connections: () => connections }
}

/**
 * A server that answers 200, but ends the connection with `fail` instead: on every
 * request (`fresh`), or on the second request a kept-alive connection carries.
 */
async function listenFailing(fail: (socket: Socket) => void, options: { fresh: boolean }) {
  const served = new Map<unknown, number>()
  let requests = 0
  const listening = await listen((req, _body, res) => {
    requests++
    const n = (served.get(req.socket) ?? 0) + 1
    served.set(req.socket, n)
    if (options.fresh || n === 2) fail(req.socket)
    else res.writeHead(200).end('ok')
  })
  return { ...listening, requests: () => requests }
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 20))

describe('createResponseUrlPoster', () => {
  it('posts each reply as JSON, over kept-alive connections', async () => {
    const got: unknown[] = []
    const { base, connections } = await listen((req, body, res) => {
      got.push({ type: req.headers['content-type'], body: JSON.parse(body) })
      res.writeHead(200).end('ok')
    })
    const poster = createResponseUrlPoster()
    const texts = ['one', 'two', 'three', 'four', 'five', 'six']
    for (const text of texts) await poster.post(`${base}/commands/T/1/x`, reply(text))
    poster.close()
    expect(got).toEqual(texts.map((text) => ({ type: 'application/json', body: reply(text) })))
    expect(connections()).toBe(1)
  })

  it('refuses a response_url that is not a URL, or not http(s), without quoting it', async () => {
    const poster = createResponseUrlPoster()
    const bad = await poster.post('hooks s3cr3t', reply('x')).catch((e: Error) => e)
    expect(bad).toMatchObject({ message: 'response_url is not a URL' })
    expect(bad).not.toHaveProperty('input')
    await expect(poster.post('ftp://hooks/s3cr3t', reply('x'))).rejects.toThrow(
      'response_url has an unknown scheme ftp:',
    )
    poster.close()
  })

  it('rejects a used-up response_url without naming it (the URL is a bearer token)', async () => {
    const { base } = await listen((_req, _body, res) => res.writeHead(404).end('expired_url'))
    const poster = createResponseUrlPoster()
    const url = `${base}/commands/T0ACME/123/s3cr3tT0ken`
    const err = await poster.post(url, reply('late')).catch((e: Error) => e)
    poster.close()
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toContain('404')
    expect((err as Error).message).not.toContain('s3cr3tT0ken')
  })

  it.each([
    // Like a server whose idle timeout fired just as the second reply arrived.
    ['drops', (socket: Socket) => socket.destroy()],
    ['resets (RST)', (socket: Socket) => socket.resetAndDestroy()],
  ])(
    'sends a reply again, once, when the server %s a kept-alive connection under it',
    async (_, fail) => {
      const { base, connections, requests } = await listenFailing(fail, { fresh: false })
      const poster = createResponseUrlPoster()
      await poster.post(`${base}/commands/1`, reply('first'))
      // A moment later, so that the second reply goes over the first one's connection.
      await pause()
      await poster.post(`${base}/commands/2`, reply('second'))
      poster.close()
      expect(requests()).toBe(3)
      expect(connections()).toBe(2)
    },
  )

  it('does not send again when a fresh connection is reset', async () => {
    let requests = 0
    const { base } = await listen((req) => {
      requests++
      req.socket.resetAndDestroy()
    })
    const poster = createResponseUrlPoster()
    const err = await poster.post(`${base}/commands/T0/1/s3cr3t`, reply('once')).catch((e) => e)
    poster.close()
    expect(requests).toBe(1)
    expect((err as Error).message).toMatch(/^response_url could not be reached/)
    expect((err as Error).message).not.toContain('s3cr3t')
  })

  it('does not send again when a connection closes after its answer began', async () => {
    // The server took the reply and began to answer, then the connection went: it was
    // read, so sending it again would show the requester the reply twice.
    for (const fresh of [true, false]) {
      const answerBegun = (socket: Socket) => {
        socket.write('HTTP/1.1 20')
        setTimeout(() => socket.destroy(), 20)
      }
      const { base, requests } = await listenFailing(answerBegun, { fresh })
      const poster = createResponseUrlPoster()
      if (!fresh) {
        await poster.post(`${base}/commands/1`, reply('first'))
        await pause()
      }
      await expect(poster.post(`${base}/commands/2`, reply('second'))).rejects.toThrow(
        /^response_url could not be reached/,
      )
      poster.close()
      expect(requests()).toBe(fresh ? 1 : 2)
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
      server = null
    }
  })

  it('does not send again when a fresh connection fails', async () => {
    let requests = 0
    const { base } = await listen((req) => {
      requests++
      req.socket.destroy()
    })
    const poster = createResponseUrlPoster()
    await expect(poster.post(`${base}/commands/1`, reply('once'))).rejects.toThrow()
    poster.close()
    expect(requests).toBe(1)
  })

  it('gives up on a response_url that does not answer in time, and closes its connection', async () => {
    let closed = 0
    const { base } = await listen((req) => req.socket.on('close', () => closed++))
    const poster = createResponseUrlPoster(200)
    const started = performance.now()
    const err = await poster.post(`${base}/commands/T0/1/s3cr3t`, reply('hi')).catch((e) => e)
    const took = performance.now() - started
    expect((err as Error).message).toBe('response_url did not answer within 200 ms')
    // One sweep (every 20 ms here) finds it late, not a timer of its own.
    expect(took).toBeGreaterThanOrEqual(199)
    expect(took).toBeLessThan(1000)
    await until(() => closed === 1)
    poster.close()
  })
})

/** Polls `done` until it holds, or fails the test after 3 s. */
async function until(done: () => boolean): Promise<void> {
  for (const started = Date.now(); !done(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() - started > 3000) throw new Error('the condition never held')
  }
}

/**
 * A raw TCP stand-in for answers node:http would not write: each whole request the
 * poster sends (head and content-length body) is handed to `answer` with its socket.
 */
async function listenRaw(answer: (socket: Socket, request: string, n: number) => void) {
  const sockets: Socket[] = []
  const closed: Socket[] = []
  let requests = 0
  const raw = createNetServer((socket) => {
    sockets.push(socket)
    socket.setNoDelay(true)
    socket.on('close', () => closed.push(socket))
    socket.on('error', () => {})
    let buf = ''
    socket.on('data', (chunk: Buffer) => {
      buf += chunk.toString('latin1')
      for (;;) {
        const headEnd = buf.indexOf('\r\n\r\n')
        if (headEnd < 0) return
        const length = Number(/content-length: (\d+)/i.exec(buf.slice(0, headEnd))?.[1] ?? 0)
        const end = headEnd + 4 + length
        if (buf.length < end) return
        const request = buf.slice(0, end)
        buf = buf.slice(end)
        answer(socket, request, ++requests)
      }
    })
  })
  await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve))
  rawServers.push({ raw, sockets })
  const { port } = raw.address() as AddressInfo
  return { base: `http://127.0.0.1:${port}`, sockets, closed, requests: () => requests }
}

const rawServers: Array<{ raw: NetServer; sockets: Socket[] }> = []
afterEach(async () => {
  for (const { raw, sockets } of rawServers.splice(0)) {
    await new Promise((resolve) => {
      raw.close(resolve)
      // close() waits for the connections the test left open.
      for (const socket of sockets) socket.destroy()
    })
  }
})

/** Writes `text` one byte per TCP write, a millisecond apart. */
async function writeBytewise(socket: Socket, text: string): Promise<void> {
  for (const byte of Buffer.from(text, 'latin1')) {
    socket.write(Buffer.of(byte))
    await new Promise((r) => setTimeout(r, 1))
  }
}

describe('createResponseUrlPoster reading answers', () => {
  it('sends one HTTP/1.1 request with host, content-type and the UTF-8 byte length', async () => {
    const seen: string[] = []
    const { base } = await listenRaw((socket, request) => {
      seen.push(request)
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')
    })
    const poster = createResponseUrlPoster()
    await poster.post(`${base}/commands/T0/1/x?a=b`, reply('é'))
    poster.close()
    const body = JSON.stringify(reply('é'))
    const host = new URL(base).host
    expect(Buffer.from(seen[0] ?? '', 'latin1').toString('utf8')).toBe(
      `POST /commands/T0/1/x?a=b HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
  })

  it('reads chunked answers with extensions and trailers, and reuses the connection', async () => {
    const { base, sockets } = await listenRaw((socket, _request, n) => {
      socket.write(
        `HTTP/1.1 ${n === 2 ? 503 : 200} OK\r\nTransfer-Encoding: chunked\r\n\r\n` +
          '5;name=value\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nx-checksum: 1\r\nx-more: 2\r\n\r\n',
      )
    })
    const poster = createResponseUrlPoster()
    await poster.post(`${base}/1`, reply('one'))
    await expect(poster.post(`${base}/2`, reply('two'))).rejects.toThrow(
      'response_url answered HTTP 503',
    )
    await poster.post(`${base}/3`, reply('three'))
    poster.close()
    expect(sockets).toHaveLength(1)
  })

  it('reads answers that come one byte at a time', async () => {
    const { base, sockets } = await listenRaw((socket, _request, n) => {
      void writeBytewise(
        socket,
        n === 1
          ? 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nx-t: 1\r\n\r\n'
          : 'HTTP/1.1 201 Created\r\nContent-Length: 4\r\nkeep-alive: timeout=5\r\n\r\nabcd',
      )
    })
    const poster = createResponseUrlPoster()
    await poster.post(`${base}/1`, reply('one'))
    await poster.post(`${base}/2`, reply('two'))
    poster.close()
    expect(sockets).toHaveLength(1)
  })

  it.each([
    [
      '200 after 100 Continue',
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n',
      null,
    ],
    [
      '500 after 100 Continue',
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 500 Oops\r\ncontent-length: 0\r\n\r\n',
      'HTTP 500',
    ],
    ['204 with no body', 'HTTP/1.1 204 No Content\r\n\r\n', null],
  ])('takes a %s', async (_, answer, error) => {
    const { base, sockets } = await listenRaw((socket) => socket.write(answer))
    const poster = createResponseUrlPoster()
    for (const path of ['/1', '/2']) {
      const posted = poster.post(`${base}${path}`, reply('x'))
      if (error) await expect(posted).rejects.toThrow(error)
      else await posted
    }
    poster.close()
    expect(sockets).toHaveLength(1)
  })

  it.each([
    ['connection: close', 'HTTP/1.1 200 OK\r\nConnection: close\r\ncontent-length: 0\r\n\r\n'],
    ['HTTP/1.0 without keep-alive', 'HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n'],
    [
      'keep-alive: timeout=1',
      'HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\ncontent-length: 0\r\n\r\n',
    ],
    ['bytes after the answer', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n'],
  ])('closes a connection after %s, and the next post opens another', async (_, answer) => {
    const { base, sockets, closed } = await listenRaw((socket) => socket.write(answer))
    const poster = createResponseUrlPoster()
    await poster.post(`${base}/1`, reply('one'))
    await poster.post(`${base}/2`, reply('two'))
    expect(sockets).toHaveLength(2)
    // Closed by us: the stand-in never ends a connection itself.
    await until(() => closed.includes(sockets[0] as Socket))
    poster.close()
  })

  it('keeps HTTP/1.0 with keep-alive, and reads a body that runs to the close', async () => {
    const { base, sockets } = await listenRaw((socket, _request, n) => {
      if (n === 1)
        socket.write('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\ncontent-length: 0\r\n\r\n')
      else socket.end('HTTP/1.1 202 Accepted\r\n\r\nthe body runs until the close')
    })
    const poster = createResponseUrlPoster()
    await poster.post(`${base}/1`, reply('one'))
    await poster.post(`${base}/2`, reply('two'))
    poster.close()
    expect(sockets).toHaveLength(1)
  })

  it('rejects a malformed status line without naming the URL, and closes the connection', async () => {
    const { base, sockets, closed, requests } = await listenRaw((socket) =>
      socket.write('HTTP/2 200 OK\r\ncontent-length: 0\r\n\r\n'),
    )
    const poster = createResponseUrlPoster()
    const err = await poster.post(`${base}/commands/T0/1/s3cr3t`, reply('x')).catch((e) => e)
    expect((err as Error).message).toBe(
      'response_url sent a malformed answer: a status line that is not HTTP/1.x NNN',
    )
    expect((err as Error).message).not.toContain('s3cr3t')
    await until(() => closed.length === 1)
    expect(sockets).toHaveLength(1)
    expect(requests()).toBe(1)
    poster.close()
  })

  it('answers more than 64 posts at once to one origin over at most 64 connections', async () => {
    let open = 0
    let most = 0
    const { base, connections } = await listen((_req, _body, res) => {
      setTimeout(() => res.writeHead(200).end('ok'), 20)
    })
    server?.on('connection', (socket: Socket) => {
      most = Math.max(most, ++open)
      socket.on('close', () => open--)
    })
    const poster = createResponseUrlPoster()
    const posts = Array.from({ length: 200 }, (_, i) => poster.post(`${base}/${i}`, reply(`${i}`)))
    await Promise.all(posts)
    poster.close()
    expect(most).toBe(64)
    expect(connections()).toBe(64)
  })

  it.each([
    // [what, our idle time, the server's keep-alive header, when we close (ms)]
    ['for the idle time', 200, '', 200],
    [
      "early when the server's keep-alive hint is shorter, less 1 s",
      3000,
      'timeout=2, max=9',
      1000,
    ],
    ["for the idle time when the server's hint is longer", 200, 'timeout=5', 200],
  ])('closes a connection left unused %s', async (_, idleMs, hint, closeMs) => {
    const header = hint ? `Keep-Alive: ${hint}\r\n` : ''
    const { base, closed } = await listenRaw((socket) =>
      socket.write(`HTTP/1.1 200 OK\r\n${header}content-length: 0\r\n\r\n`),
    )
    const poster = createResponseUrlPoster(10_000, { idleMs: Number(idleMs) })
    await poster.post(`${base}/1`, reply('one'))
    const answered = performance.now()
    await until(() => closed.length === 1)
    const idle = performance.now() - answered
    expect(idle).toBeGreaterThanOrEqual(Number(closeMs) - 1)
    // The sweep runs every tenth of the idle time, at most every 250 ms.
    expect(idle).toBeLessThan(Number(closeMs) + 800)
    poster.close()
  })

  it('forgets an idle connection the server closed, and posts on a new one', async () => {
    const { base, sockets, requests } = await listenRaw((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n')
      // The first connection's idle timeout is short: it ends, the other stays.
      if (socket === sockets[0]) setTimeout(() => socket.end(), 10)
    })
    const poster = createResponseUrlPoster(1000)
    await Promise.all([
      poster.post(`${base}/1`, reply('one')),
      poster.post(`${base}/2`, reply('two')),
    ])
    await new Promise((r) => setTimeout(r, 100))
    await Promise.all([poster.post(`${base}/3`, reply('3')), poster.post(`${base}/4`, reply('4'))])
    poster.close()
    expect(sockets).toHaveLength(3)
    expect(requests()).toBe(4)
  })

  it('rejects the posts still waiting when closed', async () => {
    const { base } = await listenRaw(() => {})
    const poster = createResponseUrlPoster()
    const posted = poster.post(`${base}/1`, reply('one')).catch((e: Error) => e)
    await new Promise((r) => setTimeout(r, 50))
    poster.close()
    expect(((await posted) as Error).message).toBe(
      'response_url could not be reached (the poster was closed)',
    )
    await expect(poster.post(`${base}/2`, reply('two'))).rejects.toThrow('the poster was closed')
  })
})

describe('createResponseUrlPoster over https', () => {
  let dir = ''
  let tls: { key: Buffer; cert: Buffer } = { key: Buffer.alloc(0), cert: Buffer.alloc(0) }
  beforeAll(() => {
    // A self-signed certificate for localhost and 127.0.0.1, made for this run only.
    dir = mkdtempSync(join(tmpdir(), 'dumpling-tls-'))
    const key = join(dir, 'key.pem')
    const cert = join(dir, 'cert.pem')
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'],
        ...['-nodes', '-days', '1', '-keyout', key, '-out', cert, '-subj', '/CN=localhost'],
        ...['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
      ],
      { stdio: 'ignore' },
    )
    tls = { key: readFileSync(key), cert: readFileSync(cert) }
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  async function listenTls(host: string) {
    const seen: Array<{ servername: unknown; alpn: unknown; body: string }> = []
    const secure = createHttpsServer({ ...tls, ALPNProtocols: ['http/1.1'] }, (req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c))
      req.on('end', () => {
        const socket = req.socket as TLSSocket
        seen.push({ servername: socket.servername, alpn: socket.alpnProtocol, body })
        res.writeHead(200).end('ok')
      })
    })
    let connections = 0
    secure.on('secureConnection', () => connections++)
    await new Promise<void>((resolve) => secure.listen(0, host, resolve))
    closeTls = () => {
      secure.closeAllConnections()
      return new Promise((resolve) => secure.close(resolve))
    }
    const { port } = secure.address() as AddressInfo
    return { port, seen, connections: () => connections }
  }
  let closeTls: () => Promise<unknown> = async () => {}
  afterEach(() => closeTls())

  it('posts to a name with SNI and ALPN http/1.1, checking the certificate, kept alive', async () => {
    const { port, seen, connections } = await listenTls('localhost')
    const poster = createResponseUrlPoster(10_000, { ca: tls.cert })
    await poster.post(`https://localhost:${port}/commands/1`, reply('one'))
    await poster.post(`https://localhost:${port}/commands/2`, reply('two'))
    poster.close()
    expect(seen).toEqual([
      { servername: 'localhost', alpn: 'http/1.1', body: JSON.stringify(reply('one')) },
      { servername: 'localhost', alpn: 'http/1.1', body: JSON.stringify(reply('two')) },
    ])
    expect(connections()).toBe(1)
  })

  it('sends no SNI to an IP address', async () => {
    const { port, seen } = await listenTls('127.0.0.1')
    const poster = createResponseUrlPoster(10_000, { ca: tls.cert })
    await poster.post(`https://127.0.0.1:${port}/commands/1`, reply('one'))
    poster.close()
    expect(seen[0]?.servername).toBe(false)
  })

  it('refuses a certificate it does not trust, without naming the URL', async () => {
    const { port, seen } = await listenTls('localhost')
    const poster = createResponseUrlPoster()
    const err = await poster
      .post(`https://localhost:${port}/commands/T0/1/s3cr3t`, reply('one'))
      .catch((e: Error) => e)
    poster.close()
    expect((err as Error).message).toMatch(/^response_url could not be reached \(\w+/)
    expect((err as Error).message).not.toContain('s3cr3t')
    expect(seen).toHaveLength(0)
  })
})

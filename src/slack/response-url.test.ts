import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
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
    // undici checks an idle connection for a close (one event-loop turn) before reusing
    // it, so a post sent at once after another may take a second connection; no more.
    expect(connections()).toBeLessThanOrEqual(2)
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

  it('gives up on a response_url that does not answer in time', async () => {
    const { base } = await listen(() => {})
    const poster = createResponseUrlPoster(200)
    await expect(poster.post(`${base}/commands/x`, reply('hello'))).rejects.toThrow(
      /did not answer within 200 ms/,
    )
    poster.close()
  })
})

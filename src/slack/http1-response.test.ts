import { describe, expect, it } from 'vitest'
import { Http1Response } from './http1-response.js'

/** Feeds `parts` in turn; returns where the answer ended in the last part fed, or -1. */
function read(res: Http1Response, ...parts: string[]): number {
  let end = -1
  for (const part of parts) end = res.feed(Buffer.from(part, 'latin1'))
  return end
}

const chunked =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n' +
  '4;x=y\r\nabcd\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer-One: 1\r\n\r\n'

describe('Http1Response', () => {
  it('finds the end of a chunked answer wherever it is split, and leaves what follows', () => {
    const next = 'HTTP/1.1 200 OK\r\n'
    for (let cut = 0; cut <= chunked.length; cut++) {
      const res = new Http1Response()
      const end = read(res, chunked.slice(0, cut), chunked.slice(cut) + next)
      expect({ cut, end, status: res.status }).toEqual({
        cut,
        end: chunked.length - cut,
        status: 200,
      })
    }
  })

  it('reads a content-length body, and no body for 204 and 304', () => {
    const res = new Http1Response()
    expect(read(res, 'HTTP/1.1 404 Not Found\r\ncontent-length: 5\r\n\r\nabc')).toBe(-1)
    expect(read(res, 'deXYZ')).toBe(2)
    expect(res.status).toBe(404)
    for (const status of [204, 304]) {
      res.reset()
      const head = `HTTP/1.1 ${status} X\r\ncontent-length: 9\r\n\r\n`
      expect(read(res, `${head}HTTP/1.1`)).toBe(head.length)
    }
  })

  it('skips interim answers and takes the final status', () => {
    const res = new Http1Response()
    const text = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n'
    expect(read(res, text, 'HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n')).toBe(43)
    expect(res.status).toBe(201)
  })

  it('reads a body with neither length nor chunks, or another coding, until the close', () => {
    for (const head of [
      'HTTP/1.1 200 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n',
    ]) {
      const res = new Http1Response()
      expect(read(res, head, 'any amount of body')).toBe(-1)
      expect(res.untilClose).toBe(true)
      expect(res.keepAlive).toBe(false)
    }
  })

  it('says whether the connection may be reused, and the keep-alive hint', () => {
    const cases: Array<[string, boolean, number | null]> = [
      ['HTTP/1.1 200 OK', true, null],
      ['HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close', false, null],
      ['HTTP/1.0 200 OK', false, null],
      ['HTTP/1.0 200 OK\r\nconnection: keep-alive\r\nKeep-Alive: max=5, timeout=2', true, 2000],
    ]
    for (const [head, keepAlive, keepAliveMs] of cases) {
      const res = new Http1Response()
      read(res, `${head}\r\ncontent-length: 0\r\n\r\n`)
      expect({ head, keepAlive: res.keepAlive, keepAliveMs: res.keepAliveMs }).toEqual({
        head,
        keepAlive,
        keepAliveMs,
      })
    }
  })

  it.each([
    ['ICY 200 OK\r\n\r\n', 'a status line that is not HTTP/1.x NNN'],
    ['HTTP/1.1 2000 OK\r\n\r\n', 'a status line that is not HTTP/1.x NNN'],
    ['HTTP/1.1 101 Switching Protocols\r\n\r\n', 'a protocol switch nobody asked for'],
    ['HTTP/1.1 200 OK\r\nno colon here\r\n\r\n', 'a header line without a colon'],
    [
      'HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n',
      'a malformed content-length',
    ],
    ['HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n', 'a malformed content-length'],
    ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n', 'a malformed chunk size'],
    [
      'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1\r\nab\r\n',
      'a chunk longer than its size',
    ],
    [`HTTP/1.1 200 OK\r\nx: ${'a'.repeat(70_000)}`, 'a head larger than 64 KiB'],
  ])('refuses %j', (text, error) => {
    expect(() => read(new Http1Response(), text)).toThrow(error)
  })

  it('refuses a head over 64 KiB that comes in small pieces', () => {
    const res = new Http1Response()
    expect(() => {
      read(res, 'HTTP/1.1 200 OK\r\n')
      for (let i = 0; i < 100; i++) read(res, `x-filler: ${'a'.repeat(1000)}\r\n`)
    }).toThrow('a head larger than 64 KiB')
  })
})

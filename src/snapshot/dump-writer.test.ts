import { Readable, Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createDumpWriter } from './dump-writer.js'

/** A sink that takes one write and then never drains (a stalled upload). */
function stalledSink(): Writable {
  return new Writable({ highWaterMark: 1, write() {} })
}

describe('createDumpWriter abort', () => {
  it('fails a write waiting for drain, and the appends queued behind it, and ends their sources', async () => {
    const writer = createDumpWriter(stalledSink())
    const first = writer.appendText('x'.repeat(100_000))
    const source = Readable.from([Buffer.alloc(1 << 20, 'y')], { objectMode: false })
    const queued = writer.appendStream(source)
    first.catch(() => {})
    queued.catch(() => {})
    await new Promise((r) => setTimeout(r, 50))
    writer.abort()
    await expect(first).rejects.toThrow()
    await expect(queued).rejects.toThrow()
    expect(source.destroyed).toBe(true)
  })

  it('fails an appended stream whose source is destroyed before it ends', async () => {
    const writer = createDumpWriter(new Writable({ write: (_c, _e, done) => done() }))
    const source = new Readable({ read() {} })
    source.push('part of a section\n')
    const appended = writer.appendStream(source)
    appended.catch(() => {})
    setTimeout(() => source.destroy(), 20)
    await expect(appended).rejects.toThrow()
  })
})

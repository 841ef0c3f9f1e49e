import { randomBytes } from 'node:crypto'
import { Worker } from 'node:worker_threads'
import { gunzipSync } from 'node:zlib'
import { expect, it } from 'vitest'
import { describeWithIsal, isalAddonPath } from '../../test/helpers/isal-addon.js'
import { type IsalGzip, loadIsalGzip } from './isal-gzip.js'

function addon(): IsalGzip {
  const loaded = loadIsalGzip(isalAddonPath)
  if (!('addon' in loaded)) throw new Error(`the ISA-L addon ${loaded.missing}`)
  return loaded.addon
}

/** COPY-like text: repetitive but not trivially so. */
function text(bytes: number): Buffer {
  const lines: string[] = []
  let size = 0
  for (let i = 0; size < bytes; i++) {
    const line = `${i}\tuser${(i * 7919) % 100003}@example.com\t${(i * 31) % 977} Main Street\t2026-11-${(i % 28) + 1}\n`
    lines.push(line)
    size += line.length
  }
  return Buffer.from(lines.join('')).subarray(0, bytes)
}

const inputs: Record<string, Buffer> = {
  empty: Buffer.alloc(0),
  'one byte': Buffer.from('x'),
  text: text(200_000),
  'random (incompressible)': randomBytes(1 << 20),
  'multi-MiB text': text(6 * 1024 * 1024 + 123),
  'multi-MiB random': randomBytes(3 * 1024 * 1024 + 7),
}

describeWithIsal('isal-gzip addon', () => {
  it('makes gzip members that gunzip to their input, for every input and every level', () => {
    const gz = addon()
    expect(gz.maxLevel).toBe(3)
    for (let level = 0; level <= gz.maxLevel; level++) {
      for (const [name, input] of Object.entries(inputs)) {
        const member = gz.gzip(input, level)
        expect(member.subarray(0, 2), `${name} at level ${level}`).toEqual(
          Buffer.from([0x1f, 0x8b]),
        )
        expect(gunzipSync(member).equals(input), `${name} at level ${level}`).toBe(true)
      }
    }
  })

  it('compresses text and barely grows random bytes', () => {
    const gz = addon()
    expect(gz.gzip(inputs.text as Buffer, 2).length).toBeLessThan(200_000 / 2)
    const random = inputs['random (incompressible)'] as Buffer
    expect(gz.gzip(random, 2).length).toBeLessThan(random.length * 1.01 + 64)
  })

  it('reads a Uint8Array view at its offset', () => {
    const whole = text(300_000)
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 1000, 50_000)
    expect(gunzipSync(addon().gzip(view, 1)).equals(Buffer.from(view))).toBe(true)
  })

  it('concatenated members gunzip to the concatenated inputs', () => {
    const gz = addon()
    const parts = [text(1000), randomBytes(500), text(70_000)]
    const joined = Buffer.concat(parts.map((p, i) => gz.gzip(p, i % 4)))
    expect(gunzipSync(joined).equals(Buffer.concat(parts))).toBe(true)
  })

  it('refuses a level out of range and input that is not bytes, with a clear error', () => {
    const gz = addon()
    expect(() => gz.gzip(Buffer.from('a'), 4)).toThrow(/level must be an integer from 0 to 3/)
    expect(() => gz.gzip(Buffer.from('a'), -1)).toThrow(/level must be an integer from 0 to 3/)
    expect(() => gz.gzip('text' as unknown as Buffer, 1)).toThrow(/must be a Buffer/)
  })

  it('gives correct results to two worker threads compressing at once', async () => {
    // Each thread loads the addon itself (its own buffers) and compresses its own
    // inputs many times over; a shared buffer would mix the two threads' output.
    const code = `
      const { parentPort, workerData } = require('node:worker_threads')
      const { gunzipSync } = require('node:zlib')
      const gz = require(workerData.addon)
      const input = Buffer.from(workerData.input)
      let bad = 0
      const members = []
      for (let i = 0; i < 40; i++) {
        const member = gz.gzip(input, 1 + (i % 3))
        if (!gunzipSync(member).equals(input)) bad++
        if (i < 3) members.push(member)
      }
      parentPort.postMessage({ bad, members })`
    const run = (input: Buffer) =>
      new Promise<{ bad: number; members: Uint8Array[] }>((resolve, reject) => {
        const worker = new Worker(code, { eval: true, workerData: { addon: isalAddonPath, input } })
        worker.once('message', resolve)
        worker.once('error', reject)
      })
    const a = text(2 * 1024 * 1024)
    const b = Buffer.concat([randomBytes(700_000), text(900_000)])
    const [ra, rb] = await Promise.all([run(a), run(b)])
    expect(ra.bad).toBe(0)
    expect(rb.bad).toBe(0)
    for (const m of ra.members) expect(gunzipSync(m).equals(a)).toBe(true)
    for (const m of rb.members) expect(gunzipSync(m).equals(b)).toBe(true)
  })
})

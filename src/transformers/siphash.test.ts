import { execFileSync } from 'node:child_process'
import { createHash, createHmac } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createDigest } from './keyed-digest.js'
import { sipHash64, sipHash128, utf8Into } from './siphash.js'
import { sipHashWasm } from './siphash-wasm.js'

/**
 * From the reference implementation's vectors.h (github.com/veorq/SipHash):
 * key 00 01 … 0f, message 00 01 … of the given length.
 */
const vectors128: Record<number, string> = {
  0: 'a3817f04ba25a8e66df67214c7550293',
  1: 'da87c1d86b99af44347659119b22fc45',
  7: 'a1f1ebbed8dbc153c0b84aa61ff08239',
  8: '3b62a9ba6258f5610f83e264f31497b4',
  15: '5493e99933b0a8117e08ec0f97cfc3d9',
  16: '6ee2a4ca67b054bbfd3315bf85230577',
  63: '5150d1772f50834a503e069a973fbd7c',
}
const vectors64: Record<number, string> = {
  0: '310e0edd47db6f72',
  1: 'fd67dc93c539f874',
  7: '37d1018bf50002ab',
  8: '6224939a79f5f593',
  15: 'e545be4961ca29a1',
  16: 'db9bc2577fcc2a3f',
  63: '724506eb4c328a95',
}

const key = Uint8Array.from({ length: 16 }, (_, i) => i)
const message = (length: number) => Uint8Array.from({ length }, (_, i) => i)
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex')

describe('SipHash-2-4', () => {
  it('matches the reference vectors with 128-bit output', () => {
    for (const [length, expected] of Object.entries(vectors128)) {
      expect(hex(sipHash128(key, message(Number(length))))).toBe(expected)
    }
  })

  it('matches the reference vectors with 64-bit output', () => {
    for (const [length, expected] of Object.entries(vectors64)) {
      expect(hex(sipHash64(key, message(Number(length))))).toBe(expected)
    }
  })

  it('runs the module compiled from siphash.wat (after editing it: scripts/build-siphash-wasm.mjs)', () => {
    const script = fileURLToPath(new URL('../../scripts/build-siphash-wasm.mjs', import.meta.url))
    const generated = execFileSync(process.execPath, [script], { encoding: 'utf8' })
    expect(generated).toContain(`'${sipHashWasm}'`)
  })

  it('encodes UTF-8 as TextEncoder does, lone surrogates included', () => {
    const out = new Uint8Array(64)
    for (const value of ['plain', 'ß€𝄞', '\ud800', 'a\udc00b', 'end\ud83d', '\ud83d\ude00']) {
      const n = utf8Into(value, out)
      expect(hex(out.subarray(0, n))).toBe(hex(new TextEncoder().encode(value)))
    }
  })
})

const mask64 = (1n << 64n) - 1n

/** murmur3's fmix64, in BigInt: the reference for the digest's expansion. */
function fmix64(k: bigint): bigint {
  k ^= k >> 33n
  k = (k * 0xff51afd7ed558ccdn) & mask64
  k ^= k >> 33n
  k = (k * 0xc4ceb9fe1a85ec53n) & mask64
  return k ^ (k >> 33n)
}

describe('createDigest', () => {
  it('is SipHash-2-4-128 under an HMAC-derived key, expanded to 32 bytes by fmix64', () => {
    const digest = createDigest('secret', 'email')
    const sipKeyBytes = createHmac('sha256', 'secret')
      .update('dumpling/email')
      .digest()
      .subarray(0, 16)
    const values = [
      '',
      'alice@example.com',
      'Zoë 😀',
      'y'.repeat(447),
      'z'.repeat(448),
      'é'.repeat(5000),
    ]
    for (const value of values) {
      const d = digest(value)
      // From 448 UTF-16 units on, the value is compressed first: 0xff and its SHA-256.
      const message =
        value.length < 448
          ? Buffer.from(value, 'utf8')
          : Buffer.concat([Buffer.from([0xff]), createHash('sha256').update(value).digest()])
      const head = Buffer.from(sipHash128(sipKeyBytes, message))
      expect(d.subarray(0, 16).equals(head)).toBe(true)
      const w0 = head.readBigUInt64LE(0)
      const w1 = head.readBigUInt64LE(8)
      const w2 = fmix64(w0 ^ (((w1 << 32n) | (w1 >> 32n)) & mask64))
      expect(d.readBigUInt64LE(16)).toBe(w2)
      expect(d.readBigUInt64LE(24)).toBe(fmix64(w1 ^ w2))
    }
  })

  it("gives the same digest from a value's ASCII bytes as from the string, at every length", () => {
    const digest = createDigest('secret', 'text')
    const row = Buffer.from(`x\t${'abcdefghij'.repeat(70)}\t`, 'latin1')
    for (let length = 0; length <= 700; length++) {
      const value = row.toString('latin1', 2, 2 + length)
      const fromString = Buffer.from(digest(value))
      expect(digest.bytes(row, 2, 2 + length).equals(fromString), `length ${length}`).toBe(true)
    }
  })

  it("keeps each digest's output apart from every other's", () => {
    const a = createDigest('secret', 'a')
    const b = createDigest('secret', 'b')
    const first = Buffer.from(a('alice'))
    const out = a('alice')
    b('bob')
    expect(out.equals(first)).toBe(true)
  })

  it('gives digests of one key and domain one slot, however often they are made (a compiler per snapshot)', () => {
    const reference = Buffer.from(createDigest('per-snapshot', 'email')('alice'))
    for (let i = 0; i < 4000; i++) createDigest('per-snapshot', 'email')
    const again = createDigest('per-snapshot', 'email')
    expect(Buffer.from(again('alice')).equals(reference)).toBe(true)
    // A new key still gets a slot of its own: its digest is a view of the module's memory,
    // where a digest past the last slot has a 32-byte buffer of its own.
    expect(createDigest('per-snapshot', 'username')('alice').buffer.byteLength).toBeGreaterThan(32)
  })

  it('gives the same digests with more keys than the module has slots for', () => {
    const reference = Buffer.from(createDigest('secret', 'email')('alice'))
    const many = Array.from({ length: 3000 }, (_, i) => createDigest('secret', `d${i}`))
    const last = createDigest('secret', 'email')
    expect(Buffer.from(last('alice')).equals(reference)).toBe(true)
    const row = Buffer.from('alice')
    expect(Buffer.from(last.bytes(row, 0, 5)).equals(reference)).toBe(true)
    expect(many.length).toBe(3000)
  })

  it('gives 32 bytes that depend on the key, the domain and the value', () => {
    const digest = createDigest('key-a', 'email')
    const a = Buffer.from(digest('alice'))
    expect(a).toHaveLength(32)
    expect(Buffer.from(digest('alice')).equals(a)).toBe(true)
    expect(Buffer.from(digest('alicf')).equals(a)).toBe(false)
    expect(Buffer.from(createDigest('key-b', 'email')('alice')).equals(a)).toBe(false)
    expect(Buffer.from(createDigest('key-a', 'username')('alice')).equals(a)).toBe(false)
  })

  it('keeps 200k distinct values distinct in each half', () => {
    const digest = createDigest('key-a', 'hash')
    const first = new Set<string>()
    const second = new Set<string>()
    for (let i = 0; i < 200_000; i++) {
      const d = digest(`user-${i}`)
      first.add(d.toString('hex', 0, 8))
      second.add(d.toString('hex', 16, 24))
    }
    expect(first.size).toBe(200_000)
    expect(second.size).toBe(200_000)
  })
})

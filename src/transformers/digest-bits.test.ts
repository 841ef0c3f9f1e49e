import { describe, expect, it } from 'vitest'
import { pickIndex } from './digest-bits.js'

describe('pickIndex', () => {
  it('is the 32-bit big-endian number at the offset modulo n, for small and large lists', () => {
    const digest = Buffer.alloc(32)
    let state = 12345
    for (let round = 0; round < 2000; round++) {
      for (let i = 0; i < digest.length; i++) {
        state = (Math.imul(state, 1103515245) + 12345) | 0
        digest[i] = state >>> 24
      }
      // Edges: all ones and all zeros in the word read.
      if (round === 0) digest.fill(0xff)
      if (round === 1) digest.fill(0)
      for (const n of [1, 2, 7, 999, 1000, 0x7ffe, 0x7fff, 0x8000, 65_537, 2 ** 31 + 11]) {
        for (const offset of [0, 5, 16, 28]) {
          expect(pickIndex(n, digest, offset), `n ${n} offset ${offset}`).toBe(
            digest.readUInt32BE(offset) % n,
          )
        }
      }
    }
  })

  it('refuses an offset past the digest as readUInt32BE does', () => {
    expect(() => pickIndex(10, Buffer.alloc(32), 29)).toThrow(RangeError)
  })
})

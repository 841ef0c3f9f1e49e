import { createHmac, hash } from 'node:crypto'
import { createSipDigest, sipInput, utf8Into } from './siphash.js'
import type { Digest } from './transformer.js'

/**
 * From this many UTF-16 units on, a value is first compressed by native
 * SHA-256 (chosen when SipHash ran in JavaScript; kept, since it is part of
 * every fake of a long value). UTF-8 never has a 0xff byte, so 0xff and the
 * SHA-256 is never a short value's bytes.
 */
const longValue = 448
/**
 * A keyed digest for one domain (usually a transformer's name).
 *
 * The domain's 128-bit key is the first 16 bytes of HMAC-SHA256(key,
 * `dumpling/<domain>`), made once. Each value is then hashed with SipHash-2-4
 * (siphash.ts) over its UTF-8 bytes: a keyed pseudo-random function designed
 * for short inputs, so without the key no one can compute, predict or reverse
 * the mapping, and distinct values give independent-looking digests. On values
 * of 10-40 characters it costs about a quarter of the one-shot
 * `crypto.hash('sha256', prefix + value)` used before (0.45-0.6 µs against
 * 2.0-2.2 µs on a loaded machine); a few hundred characters cost about as much
 * as before. A value of `longValue` units or more is hashed as 0xff and its
 * SHA-256 instead (collision-resistant compression, then the same PRF), since
 * native SHA-256 is faster per byte.
 *
 * Bytes 0..15 are the PRF output, SipHash-2-4-128 as in the reference. Bytes
 * 16..31 are a deterministic expansion of them: murmur3's `fmix64` twice,
 * `w2 = fmix64(w0 ^ swap(w1))` and `w3 = fmix64(w1 ^ w2)`, on the little-endian
 * 64-bit words `w0`, `w1` (`swap` exchanges the 32-bit halves). That is a
 * bijection of bytes 0..15 with full avalanche, so 16..31 are as unique and as
 * uniform as 0..15 and look independent of them, at a quarter of the cost of
 * two more SipHash output words (a second SipHash under another key costs more).
 *
 * `digest.bytes(src, start, end)` gives the same digest for a value whose
 * UTF-8 bytes are `src[start, end)`, when they are all ASCII (so that bytes
 * and UTF-16 units count alike): the snapshot's fast path hashes fields
 * straight from the COPY bytes.
 *
 * The returned Buffer is the same one on every call of this function (and of
 * any other digest of the same key and domain, which shares its slot): read it
 * at once, never keep or modify it (copy it to keep it). Every transformer in
 * this folder uses it that way.
 */
export function createDigest(key: string | Buffer, domain: string): Digest {
  const sip = createSipDigest(
    createHmac('sha256', key).update(`dumpling/${domain}`).digest().subarray(0, 16),
  )
  const { out } = sip
  const digest = (value: string): Buffer => {
    if (value.length < longValue) {
      sip.run(value.length <= shortValue ? utf8Into(value, sipInput) : utf8Long(value))
    } else {
      sipInput[0] = 0xff
      sipInput.set(hash('sha256', value, 'buffer') as unknown as Buffer, 1)
      sip.run(33)
    }
    return out
  }
  digest.bytes = (src: Buffer, start: number, end: number): Buffer => {
    if (end - start < longValue) {
      sip.runOn(src, start, end)
    } else {
      sipInput[0] = 0xff
      sipInput.set(hash('sha256', src.subarray(start, end), 'buffer') as unknown as Buffer, 1)
      sip.run(33)
    }
    return out
  }
  return digest
}

/** Up to this many UTF-16 units a JavaScript loop encodes faster than `encodeInto`. */
const shortValue = 24
const encoder = new TextEncoder()

function utf8Long(value: string): number {
  return encoder.encodeInto(value, sipInput).written
}

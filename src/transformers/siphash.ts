/**
 * SipHash-2-4 (Aumasson & Bernstein), as the reference `siphash.c` computes
 * it: a keyed pseudo-random function made for short inputs. Every 64-bit lane
 * is kept as two int32 halves (`h`, `l`), so the hot path is plain 32-bit
 * arithmetic: no BigInt, and no allocation in `sipHashInto`.
 */

/** A 128-bit SipHash key, as the four little-endian 32-bit words of its 16 bytes. */
export interface SipKey {
  readonly k0l: number
  readonly k0h: number
  readonly k1l: number
  readonly k1h: number
}

/** 64-bit output words: 1 is SipHash-2-4-64, 2 SipHash-2-4-128, both as in the reference. */
export type SipWords = 1 | 2

/** The key from its 16 bytes (k0 then k1, each little-endian, as the reference reads it). */
export function sipKey(bytes: Uint8Array): SipKey {
  if (bytes.length !== 16) throw new Error('a SipHash key is 16 bytes')
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16)
  return {
    k0l: view.getInt32(0, true),
    k0h: view.getInt32(4, true),
    k1l: view.getInt32(8, true),
    k1h: view.getInt32(12, true),
  }
}

/**
 * SipHash-2-4 of the first `length` bytes of `data`, `8 * words` bytes written
 * at `out[offset]` in the reference's byte order (each output word little-endian).
 */
export function sipHashInto(
  key: SipKey,
  data: DataView,
  length: number,
  out: Uint8Array,
  offset: number,
  words: SipWords,
): void {
  let v0h = key.k0h ^ 0x736f6d65
  let v0l = key.k0l ^ 0x70736575
  let v1h = key.k1h ^ 0x646f7261
  let v1l = key.k1l ^ (words === 1 ? 0x6e646f6d : 0x6e646f6d ^ 0xee)
  let v2h = key.k0h ^ 0x6c796765
  let v2l = key.k0l ^ 0x6e657261
  let v3h = key.k1h ^ 0x74656462
  let v3l = key.k1l ^ 0x79746573
  // `s` is a low half's sum: it wrapped (a carry into the high half) when it is below an addend.
  let s = 0
  let t = 0

  const end = length - (length & 7)
  // One pass per 8-byte word, then one for the tail with the length in its top byte.
  for (let i = 0; i <= end; i += 8) {
    let ml = 0
    let mh = 0
    if (i < end) {
      ml = data.getInt32(i, true)
      mh = data.getInt32(i + 4, true)
    } else {
      // The last `length & 7` bytes, the length's low byte above them.
      const left = length & 7
      mh = (length & 0xff) << 24
      if (left >= 4) {
        ml = data.getInt32(i, true)
        for (let j = 4; j < left; j++) mh |= data.getUint8(i + j) << ((j - 4) * 8)
      } else {
        for (let j = 0; j < left; j++) ml |= data.getUint8(i + j) << (j * 8)
      }
    }
    v3h ^= mh
    v3l ^= ml
    for (let r = 0; r < 2; r++) {
      // SIPROUND: v0 += v1; v1 = rotl(v1, 13) ^ v0; v0 = rotl(v0, 32)
      s = (v0l + v1l) | 0
      v0h = (v0h + v1h + (s >>> 0 < v0l >>> 0 ? 1 : 0)) | 0
      v0l = s
      t = (v1h << 13) | (v1l >>> 19)
      v1l = ((v1l << 13) | (v1h >>> 19)) ^ v0l
      v1h = t ^ v0h
      t = v0h
      v0h = v0l
      v0l = t
      // v2 += v3; v3 = rotl(v3, 16) ^ v2
      s = (v2l + v3l) | 0
      v2h = (v2h + v3h + (s >>> 0 < v2l >>> 0 ? 1 : 0)) | 0
      v2l = s
      t = (v3h << 16) | (v3l >>> 16)
      v3l = ((v3l << 16) | (v3h >>> 16)) ^ v2l
      v3h = t ^ v2h
      // v0 += v3; v3 = rotl(v3, 21) ^ v0
      s = (v0l + v3l) | 0
      v0h = (v0h + v3h + (s >>> 0 < v0l >>> 0 ? 1 : 0)) | 0
      v0l = s
      t = (v3h << 21) | (v3l >>> 11)
      v3l = ((v3l << 21) | (v3h >>> 11)) ^ v0l
      v3h = t ^ v0h
      // v2 += v1; v1 = rotl(v1, 17) ^ v2; v2 = rotl(v2, 32)
      s = (v2l + v1l) | 0
      v2h = (v2h + v1h + (s >>> 0 < v2l >>> 0 ? 1 : 0)) | 0
      v2l = s
      t = (v1h << 17) | (v1l >>> 15)
      v1l = ((v1l << 17) | (v1h >>> 15)) ^ v2l
      v1h = t ^ v2h
      t = v2h
      v2h = v2l
      v2l = t
    }
    v0h ^= mh
    v0l ^= ml
  }

  v2l ^= words === 1 ? 0xff : 0xee
  for (let word = 0; word < words; word++) {
    if (word > 0) v1l ^= 0xdd
    for (let r = 0; r < 4; r++) {
      // The same SIPROUND as above.
      s = (v0l + v1l) | 0
      v0h = (v0h + v1h + (s >>> 0 < v0l >>> 0 ? 1 : 0)) | 0
      v0l = s
      t = (v1h << 13) | (v1l >>> 19)
      v1l = ((v1l << 13) | (v1h >>> 19)) ^ v0l
      v1h = t ^ v0h
      t = v0h
      v0h = v0l
      v0l = t
      s = (v2l + v3l) | 0
      v2h = (v2h + v3h + (s >>> 0 < v2l >>> 0 ? 1 : 0)) | 0
      v2l = s
      t = (v3h << 16) | (v3l >>> 16)
      v3l = ((v3l << 16) | (v3h >>> 16)) ^ v2l
      v3h = t ^ v2h
      s = (v0l + v3l) | 0
      v0h = (v0h + v3h + (s >>> 0 < v0l >>> 0 ? 1 : 0)) | 0
      v0l = s
      t = (v3h << 21) | (v3l >>> 11)
      v3l = ((v3l << 21) | (v3h >>> 11)) ^ v0l
      v3h = t ^ v0h
      s = (v2l + v1l) | 0
      v2h = (v2h + v1h + (s >>> 0 < v2l >>> 0 ? 1 : 0)) | 0
      v2l = s
      t = (v1h << 17) | (v1l >>> 15)
      v1l = ((v1l << 17) | (v1h >>> 15)) ^ v2l
      v1h = t ^ v2h
      t = v2h
      v2h = v2l
      v2l = t
    }
    const l = v0l ^ v1l ^ v2l ^ v3l
    const h = v0h ^ v1h ^ v2h ^ v3h
    const o = offset + word * 8
    out[o] = l
    out[o + 1] = l >>> 8
    out[o + 2] = l >>> 16
    out[o + 3] = l >>> 24
    out[o + 4] = h
    out[o + 5] = h >>> 8
    out[o + 6] = h >>> 16
    out[o + 7] = h >>> 24
  }
}

/** Up to this many UTF-16 units a JavaScript loop encodes faster than a call to `encodeInto`. */
const shortValue = 24
const encoder = new TextEncoder()
/** The UTF-8 of the value being hashed. Shared: hashing is synchronous and never re-entered. */
let scratch = new Uint8Array(1024)
let scratchView = new DataView(scratch.buffer)

/**
 * SipHash-2-4 of the UTF-8 bytes of `value` (a lone surrogate counts as
 * U+FFFD, as in `TextEncoder`), `8 * words` bytes written at `out[offset]`.
 */
export function sipHashUtf8Into(
  key: SipKey,
  value: string,
  out: Uint8Array,
  offset: number,
  words: SipWords,
): void {
  // UTF-8 takes at most 3 bytes per UTF-16 unit: this room always holds the whole value.
  if (value.length * 3 > scratch.length) {
    scratch = new Uint8Array(value.length * 6)
    scratchView = new DataView(scratch.buffer)
  }
  const length =
    value.length <= shortValue
      ? utf8Into(value, scratch)
      : encoder.encodeInto(value, scratch).written
  sipHashInto(key, scratchView, length, out, offset, words)
}

/** `encoder.encodeInto(value, out).written`, without a native call and a result object. */
export function utf8Into(value: string, out: Uint8Array): number {
  let n = 0
  for (let i = 0; i < value.length; i++) {
    let c = value.charCodeAt(i)
    if (c < 0x80) {
      out[n++] = c
      continue
    }
    if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6)
      out[n++] = 0x80 | (c & 63)
      continue
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      // NaN past the end, which fails every comparison: a lone surrogate.
      const next = value.charCodeAt(i + 1)
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00)
        i++
        out[n++] = 0xf0 | (c >> 18)
        out[n++] = 0x80 | ((c >> 12) & 63)
        out[n++] = 0x80 | ((c >> 6) & 63)
        out[n++] = 0x80 | (c & 63)
        continue
      }
      c = 0xfffd
    }
    out[n++] = 0xe0 | (c >> 12)
    out[n++] = 0x80 | ((c >> 6) & 63)
    out[n++] = 0x80 | (c & 63)
  }
  return n
}

/** SipHash-2-4-64 of `message` under a 16-byte key: 8 bytes, as the reference writes them. */
export function sipHash64(key: Uint8Array, message: Uint8Array): Uint8Array {
  return sipHashBytes(key, message, 1)
}

/** SipHash-2-4-128 of `message` under a 16-byte key: 16 bytes, as the reference writes them. */
export function sipHash128(key: Uint8Array, message: Uint8Array): Uint8Array {
  return sipHashBytes(key, message, 2)
}

function sipHashBytes(key: Uint8Array, message: Uint8Array, words: SipWords): Uint8Array {
  const out = new Uint8Array(8 * words)
  const data = new DataView(message.buffer, message.byteOffset, message.byteLength)
  sipHashInto(sipKey(key), data, message.length, out, 0, words)
  return out
}

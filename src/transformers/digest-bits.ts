import type { ByteSink } from './transformer.js'

const base32Alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
const base32Bytes = Buffer.from(base32Alphabet)

/**
 * The first `chars` base32 characters (5 bits each, lowercase) of a digest.
 * Lowercase only, so values stay distinct under case-insensitive comparison
 * (citext, `lower(email)` indexes).
 */
export function base32(digest: Buffer, chars: number): string {
  let out = ''
  for (let j = 0; j < chars; j++) out += base32Alphabet[base32Code(digest, j)]
  return out
}

/** `base32(digest, chars)`, appended to `out` as bytes. */
export function writeBase32(digest: Buffer, chars: number, out: ByteSink): void {
  for (let j = 0; j < chars; j++) out.writeByte(base32Bytes[base32Code(digest, j)] as number)
}

/** Bits 5j..5j+4 of the digest read as one big-endian stream (wrapping round after its end). */
function base32Code(digest: Buffer, j: number): number {
  const bit = j * 5
  const i = bit >> 3
  const pair = ((digest[i % digest.length] ?? 0) << 8) | (digest[(i + 1) % digest.length] ?? 0)
  return (pair >> (11 - (bit & 7))) & 31
}

const hexBytes = Buffer.from('0123456789abcdef')

/** Hex digits `from` to `to` (exclusive) of the digest's lowercase hex, appended to `out`. */
export function writeHex(digest: Buffer, from: number, to: number, out: ByteSink): void {
  for (let i = from; i < to; i++) {
    const b = digest[i >> 1] ?? 0
    out.writeByte(hexBytes[(i & 1) === 0 ? b >> 4 : b & 15] as number)
  }
}

/** An unsigned 32-bit integer read from the digest at `offset` (0..28). */
export function uint32(digest: Buffer, offset = 0): number {
  return digest.readUInt32BE(offset)
}

/** A float in [0, 1) from 32 bits of the digest at `offset`. */
export function unitFloat(digest: Buffer, offset = 0): number {
  return digest.readUInt32BE(offset) / 0x1_0000_0000
}

/** The item of `list` chosen by 32 bits of the digest at `offset`. */
export function pick<T>(list: readonly T[], digest: Buffer, offset = 0): T {
  const item = list[pickIndex(list.length, digest, offset)]
  if (item === undefined) throw new Error('pick from an empty list')
  return item
}

/**
 * `digest.readUInt32BE(offset) % n`. Up to 2 ** 32 the number is no small integer, and
 * its `%` is a floating-point remainder (a call into the runtime, ~1 in 50 of a
 * snapshot's transform time); for a list of under 2 ** 15 items the same remainder
 * is taken in two small-integer steps, 16 bits at a time.
 */
export function pickIndex(n: number, digest: Buffer, offset: number): number {
  if (n > smallList || n <= 0 || offset < 0 || offset + 4 > digest.length)
    return digest.readUInt32BE(offset) % n
  const high = ((digest[offset] as number) << 8) | (digest[offset + 1] as number)
  const low = ((digest[offset + 2] as number) << 8) | (digest[offset + 3] as number)
  // (high % n) * 65536 + low < 2 ** 31: a small integer.
  return (((high % n) << 16) + low) % n
}
/** Lists up to this long take the small-integer path of pickIndex. */
const smallList = 0x7fff

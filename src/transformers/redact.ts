import { z } from 'zod'
import {
  type ByteSink,
  type Digest,
  defineTransformer,
  type ValueTransform,
  withBytes,
} from './transformer.js'

const letter = /\p{L}/u
const digit = /\p{Nd}/u
/** Output collects as Latin-1 bytes: one string per value instead of one per character. */
const scratch = Buffer.allocUnsafe(512)

/**
 * Every letter becomes a keyed ASCII letter of the same case (uncased scripts give lowercase),
 * every digit a keyed ASCII digit, everything else stays: one code point out per code point in.
 * The letters come from a splitmix32 stream seeded by `d`.
 */
export function maskChars(value: string, d: Buffer): string {
  // At most one byte per UTF-16 unit of the input: this never overflows.
  const bytes = value.length <= scratch.length ? scratch : Buffer.allocUnsafe(value.length)
  let state = d.readInt32LE(0)
  let out = ''
  let n = 0
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    let base = c >= 97 && c <= 122 ? 97 : c >= 65 && c <= 90 ? 65 : c >= 48 && c <= 57 ? 48 : 0
    if (base === 0 && c >= 128) {
      const next = value.charCodeAt(i + 1)
      const wide = c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff
      const ch = wide ? value.slice(i, i + 2) : value.charAt(i)
      if (letter.test(ch)) base = ch === ch.toLowerCase() ? 97 : 65
      else if (digit.test(ch)) base = 48
      if (wide) i++
      if (base === 0 && c > 0xff) {
        // Kept, and not Latin-1: flush the bytes so far and append it as it is.
        out += bytes.toString('latin1', 0, n) + ch
        n = 0
        continue
      }
    }
    if (base === 0) {
      bytes[n++] = c
      continue
    }
    state = (state + 0x9e3779b9) | 0
    let r = Math.imul(state ^ (state >>> 16), 0x85ebca6b)
    r = Math.imul(r ^ (r >>> 13), 0xc2b2ae35)
    // 31 bits keep `r` a small integer, which makes `%` cheap.
    r = (r ^ (r >>> 16)) >>> 1
    bytes[n++] = base + (r % (base === 48 ? 10 : 26))
  }
  return n === 0 ? out : out + bytes.toString('latin1', 0, n)
}

/** `maskChars` of an ASCII value whose bytes are `src[start, end)`, appended to `out`. */
export function writeMaskedAscii(
  src: Buffer,
  start: number,
  end: number,
  d: Buffer,
  out: ByteSink,
): void {
  let state = d.readInt32LE(0)
  for (let i = start; i < end; i++) {
    const c = src[i] as number
    const base = c >= 97 && c <= 122 ? 97 : c >= 65 && c <= 90 ? 65 : c >= 48 && c <= 57 ? 48 : 0
    if (base === 0) {
      out.writeByte(c)
      continue
    }
    state = (state + 0x9e3779b9) | 0
    let r = Math.imul(state ^ (state >>> 16), 0x85ebca6b)
    r = Math.imul(r ^ (r >>> 13), 0xc2b2ae35)
    r = (r ^ (r >>> 16)) >>> 1
    out.writeByte(base + (r % (base === 48 ? 10 : 26)))
  }
}

/** `maskChars` under `digest`, with its fast path. */
export function maskTransform(digest: Digest): ValueTransform {
  return withBytes(
    (value) => maskChars(value, digest(value)),
    (src, start, end, out) => writeMaskedAscii(src, start, end, digest.bytes(src, start, end), out),
  )
}

/** Redacts a value character by character; see `maskChars`. */
export const redact = defineTransformer({
  description: 'Same length and shape: letters and digits replaced by keyed ones (not unique).',
  accepts: ['text'],
  unique: false,
  nullable: false,
  options: z.object({}).strict(),
  create(_options, ctx) {
    const digest = ctx.digest('redact')
    return maskTransform(digest)
  },
})

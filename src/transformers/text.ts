import { z } from 'zod'
import { type Digest, defineTransformer, withBytes } from './transformer.js'
import { words } from './vocabulary.js'

/**
 * Long values seed the words by their length and first characters: the lorem
 * still depends only on the value and the key, and hashing a whole paragraph
 * would cost more than writing the lorem.
 */
const seedChars = 48
const seedOf = (value: string) =>
  value.length > seedChars ? `${value.length}:${value.slice(0, seedChars)}` : value

/** Draws that may miss the remaining room before the sentence is closed. */
const misses = 4
/** Words as they appear first in a sentence, and after it. */
const firstWords = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1))
const laterWords = words.map((w) => ` ${w}`)

/**
 * Lorem ipsum of about the input's length: keyed words, the first one
 * capitalized, closed by a period. Never longer than the input or the column.
 * Words come from a splitmix32 stream seeded by the keyed digest.
 */
export const text = defineTransformer({
  description: 'Lorem ipsum words of about the same length (not unique).',
  accepts: ['text'],
  unique: false,
  nullable: false,
  copySafe: true,
  options: z.object({}).strict(),
  create(_options, ctx) {
    const digest = ctx.digest('text')
    const max = ctx.column.maxLength ?? Number.POSITIVE_INFINITY
    return withBytes(
      (value) => {
        const target = Math.min(value.length, max)
        return target === 0 ? '' : lorem(digest(seedOf(value)).readInt32LE(0), target)
      },
      (src, start, end, out) => {
        const target = Math.min(end - start, max)
        if (target > 0)
          out.writeString(lorem(seedDigest(digest, src, start, end).readInt32LE(0), target))
      },
    )
  },
})

/** The digest of `seedOf(value)` for a value whose ASCII bytes are `src[start, end)`. */
function seedDigest(digest: Digest, src: Buffer, start: number, end: number): Buffer {
  const length = end - start
  if (length <= seedChars) return digest.bytes(src, start, end)
  let n = 0
  for (let p = 10 ** Math.floor(Math.log10(length)); p >= 1; p /= 10) {
    seedScratch[n++] = 48 + (Math.floor(length / p) % 10)
  }
  seedScratch[n++] = COLON
  src.copy(seedScratch, n, start, start + seedChars)
  return digest.bytes(seedScratch, 0, n + seedChars)
}
const seedScratch = Buffer.alloc(seedChars + 24)
const COLON = 58

/**
 * Keyed words while they fit under `target` characters, then the period. One
 * string built by concatenation and written once costs about half of writing
 * the words one by one into the out buffer.
 */
function lorem(seed: number, target: number): string {
  let state = seed
  let out = ''
  let w = ''
  for (let missed = 0; missed < misses; ) {
    state = (state + 0x9e3779b9) | 0
    let r = Math.imul(state ^ (state >>> 16), 0x85ebca6b)
    r = Math.imul(r ^ (r >>> 13), 0xc2b2ae35)
    // 31 bits keep `r` a small integer, which makes `%` cheap.
    const k = ((r ^ (r >>> 16)) >>> 1) % words.length
    w = (out === '' ? firstWords[k] : laterWords[k]) ?? ''
    // Strictly less than the target: the period needs one more character.
    if (out.length + w.length < target) out += w
    else missed++
  }
  // Too short for any whole word and a period: part of a word.
  return out === '' ? w.slice(0, target) : `${out}.`
}

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
/**
 * Words as they appear first in a sentence ("Lorem"), then after it (" ipsum"),
 * as the bytes of one buffer: word k's first form is `wordBytes[start[k], start[k + 1])`,
 * its later form the same at k + words.length. The lorem is copied together
 * from them (the words are ASCII: a test checks), not concatenated as strings.
 */
const forms = [
  ...words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)),
  ...words.map((w) => ` ${w}`),
]
const wordBytes = Buffer.from(forms.join(''), 'latin1')
const wordStart = new Int32Array(forms.length + 1)
for (let k = 0; k < forms.length; k++)
  wordStart[k + 1] = (wordStart[k] ?? 0) + (forms[k]?.length ?? 0)
if (wordBytes.length !== Buffer.byteLength(forms.join(''), 'utf8')) {
  throw new Error('text: the word list is not ASCII')
}
/** The string path's lorem being made; grows for a long value, and is let go of after one over `keptScratch`. */
let scratch = Buffer.allocUnsafe(4096)
const keptScratch = 64 * 1024
/** After a lorem is used: a buffer grown for one huge value is not kept for the thread's life. */
const releaseScratch = () => {
  if (scratch.length > keptScratch) scratch = Buffer.allocUnsafe(4096)
}

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
        if (target === 0) return ''
        if (scratch.length < target)
          scratch = Buffer.allocUnsafe(Math.max(target, scratch.length * 2))
        const n = lorem(digest(seedOf(value)).readInt32LE(0), target, scratch, 0)
        const result = scratch.toString('latin1', 0, n)
        releaseScratch()
        return result
      },
      (src, start, end, out) => {
        const target = Math.min(end - start, max)
        if (target === 0) return
        // Straight into the out buffer: no scratch to copy from.
        const into = out.room(target)
        out.length = lorem(
          seedDigest(digest, src, start, end).readInt32LE(0),
          target,
          into,
          out.length,
        )
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
const PERIOD = 46

/**
 * The number of words, as a literal: a division by a constant compiles to a
 * multiplication, by a length loaded at run time to a hardware division (one per
 * word drawn).
 */
const wordCount = 999
if (words.length !== wordCount) throw new Error(`text: ${words.length} words, not ${wordCount}`)

/**
 * Keyed words while they fit under `target` characters, then the period, into
 * `out` from `at` (which has room for `target` bytes); returns where they end.
 */
function lorem(seed: number, target: number, out: Buffer, at: number): number {
  let state = seed
  let n = at
  target += at
  let from = 0
  let to = 0
  for (let missed = 0; missed < misses; ) {
    state = (state + 0x9e3779b9) | 0
    let r = Math.imul(state ^ (state >>> 16), 0x85ebca6b)
    r = Math.imul(r ^ (r >>> 13), 0xc2b2ae35)
    // 31 bits keep `r` a small integer, which makes `%` cheap.
    const k = (((r ^ (r >>> 16)) >>> 1) % wordCount) + (n === at ? 0 : wordCount)
    from = wordStart[k] as number
    to = wordStart[k + 1] as number
    // Strictly less than the target: the period needs one more character.
    if (n + to - from < target) for (let i = from; i < to; i++) out[n++] = wordBytes[i] as number
    else missed++
  }
  if (n > at) {
    out[n++] = PERIOD
    return n
  }
  // Too short for any whole word and a period: part of a word.
  for (let i = from; i < to && n < target; i++) out[n++] = wordBytes[i] as number
  return n
}

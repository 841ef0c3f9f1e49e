// Token ends for a JSON scanner working on the document's UTF-8 bytes, by index, so
// nothing is copied unless a caller needs it (a byte is read in half the time of a
// string's character here). The document is `src[from, to)`: `src` may be a whole
// segment of rows, so no scan reads at or past `to`. Errors name the position (a byte
// offset), never the content.
import { invalidJson } from './json-string.js'

export { invalidJson }

const [quote, backslash] = [34, 92]
const [openBrace, closeBrace, openBracket, closeBracket] = [123, 125, 91, 93]

/** The byte at `i`, or -1 at or past `to` (never JSON's structure or whitespace). */
export function byteAt(src: Uint8Array, i: number, to: number): number {
  return i < to ? (src[i] as number) : -1
}

/** Index of the first non-whitespace byte at or after `i`, or `to`. */
export function skipSpace(src: Uint8Array, i: number, to: number): number {
  for (; i < to; i++) {
    const c = src[i] as number
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i
  }
  return to
}

/**
 * Index after the closing quote of the string whose opening quote is at `i`, or -1
 * when it is not closed before `to`. With `escapes` false the document holds no
 * backslash, so the next quote closes it. (A loop: strings are short, and a call to
 * indexOf costs more than a short loop.)
 */
export function stringEnd(src: Uint8Array, i: number, to: number, escapes: boolean): number {
  for (let j = i + 1; j < to; j++) {
    const c = src[j] as number
    if (c === quote) return j + 1
    if (c === backslash && escapes) j++
  }
  return -1
}

/** Whether `src[start, end)` holds a backslash. */
export function hasBackslash(src: Uint8Array, start: number, end: number): boolean {
  for (let j = start; j < end; j++) if (src[j] === backslash) return true
  return false
}

/** Whether `src[start, end)` is all ASCII. */
export function isAscii(src: Uint8Array, start: number, end: number): boolean {
  for (let j = start; j < end; j++) if ((src[j] as number) >= 0x80) return false
  return true
}

/** Index after the number starting at `i` (validity is not checked). */
export function numberEnd(src: Uint8Array, i: number, to: number): number {
  let j = i + 1
  for (; j < to; j++) {
    const c = src[j] as number
    // digits, '.', 'e', 'E', '+', '-'
    if (!((c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45)) break
  }
  return j
}

const literals = ['true', 'false', 'null'].map((word) => Buffer.from(word, 'latin1'))

/** Index after `true`, `false` or `null` at `i`; `from` is where the document starts (for the error). */
export function literalEnd(src: Uint8Array, i: number, to: number, from: number): number {
  for (const word of literals) {
    if (i + word.length > to) continue
    let n = 0
    while (n < word.length && src[i + n] === word[n]) n++
    if (n === word.length) return i + n
  }
  throw invalidJson(i - from)
}

/** Index after the object or array starting at `start`, without looking inside strings. */
export function containerEnd(
  src: Uint8Array,
  start: number,
  to: number,
  escapes: boolean,
  from: number,
): number {
  let depth = 0
  for (let i = start; i < to; i++) {
    const c = src[i] as number
    if (c === quote) {
      const end = stringEnd(src, i, to, escapes)
      if (end < 0) break
      i = end - 1
    } else if (c === openBrace || c === openBracket) {
      depth++
    } else if ((c === closeBrace || c === closeBracket) && --depth === 0) {
      return i + 1
    }
  }
  throw invalidJson(start - from)
}

/** The value of the JSON string literal `src[start, end)` that holds a backslash. */
export function decodeEscaped(src: Buffer, start: number, end: number, from: number): string {
  // A single string token: JSON.parse is the exact decoder (\uXXXX, surrogate pairs).
  try {
    return JSON.parse(src.toString('utf8', start, end)) as string
  } catch {
    throw invalidJson(start - from)
  }
}

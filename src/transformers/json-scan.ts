// Token ends for a JSON scanner working on indexes into the document, so nothing is
// copied unless a caller needs it. The document is `doc[from, to)`: `doc` may be a
// whole segment of rows (the row rewriter's latin1 text), so no scan reads past `to`.
// Errors name the position, never the content.
import { invalidJson, jsonStringEnd } from './json-string.js'

export { invalidJson }

const quote = 34
const [openBrace, closeBrace, openBracket, closeBracket] = [123, 125, 91, 93]

/** Index of the first non-whitespace character at or after `i`, or `to`. */
export function skipSpace(doc: string, i: number, to: number): number {
  for (; i < to; i++) {
    const c = doc.charCodeAt(i)
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i
  }
  return to
}

/**
 * Index after the closing quote of the string whose opening quote is at `i`, or -1
 * when it is not closed before `to`. With `escapes` false the document holds no
 * backslash, so the next quote closes it: a loop finds it (strings are short, and
 * a call to indexOf costs more than a short loop).
 */
export function stringEnd(doc: string, i: number, to: number, escapes: boolean): number {
  if (escapes) {
    const end = jsonStringEnd(doc, i)
    return end > to ? -1 : end
  }
  for (let j = i + 1; j < to; j++) if (doc.charCodeAt(j) === quote) return j + 1
  return -1
}

/** Index after the number starting at `i` (validity is not checked). */
export function numberEnd(doc: string, i: number, to: number): number {
  let j = i + 1
  for (; j < to; j++) {
    const c = doc.charCodeAt(j)
    // digits, '.', 'e', 'E', '+', '-'
    if (!((c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45)) break
  }
  return j
}

const literals = ['true', 'false', 'null']

/** Index after `true`, `false` or `null` at `i`. */
export function literalEnd(doc: string, i: number, to: number): number {
  for (const word of literals) {
    if (i + word.length <= to && doc.startsWith(word, i)) return i + word.length
  }
  throw invalidJson(i)
}

/** Index after the object or array starting at `start`, without looking inside strings. */
export function containerEnd(doc: string, start: number, to: number, escapes: boolean): number {
  let depth = 0
  for (let i = start; i < to; i++) {
    const c = doc.charCodeAt(i)
    if (c === quote) {
      const end = stringEnd(doc, i, to, escapes)
      if (end < 0) break
      i = end - 1
    } else if (c === openBrace || c === openBracket) {
      depth++
    } else if ((c === closeBrace || c === closeBracket) && --depth === 0) {
      return i + 1
    }
  }
  throw invalidJson(start)
}

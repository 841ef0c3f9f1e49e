// Token ends for a JSON scanner working on indexes into the document, so nothing is
// copied unless a caller needs it. Errors name the position, never the content.
import { invalidJson, jsonStringEnd } from './json-string.js'

export { invalidJson }

const quote = 34
const [openBrace, closeBrace, openBracket, closeBracket] = [123, 125, 91, 93]

/** Index of the first non-whitespace character at or after `i`. */
export function skipSpace(doc: string, i: number): number {
  for (;;) {
    const c = doc.charCodeAt(i)
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i
    i++
  }
}

/** Index after the number starting at `i` (validity is not checked). */
export function numberEnd(doc: string, i: number): number {
  let j = i + 1
  for (;;) {
    const c = doc.charCodeAt(j)
    // digits, '.', 'e', 'E', '+', '-'
    if ((c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45) j++
    else return j
  }
}

const literals = ['true', 'false', 'null']

/** Index after `true`, `false` or `null` at `i`. */
export function literalEnd(doc: string, i: number): number {
  for (const word of literals) {
    if (doc.startsWith(word, i)) return i + word.length
  }
  throw invalidJson(i)
}

/** Index after the object or array starting at `start`, without looking inside strings. */
export function containerEnd(doc: string, start: number): number {
  let depth = 0
  for (let i = start; i < doc.length; i++) {
    const c = doc.charCodeAt(i)
    if (c === quote) {
      const end = jsonStringEnd(doc, i)
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

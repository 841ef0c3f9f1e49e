const quote = 34
const backslash = 92
const named: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' }

/**
 * A string as a JSON string literal: quotes, backslashes and control characters
 * escaped, everything else (including non-ASCII) written as it is.
 */
export function encodeJsonString(value: string): string {
  let out = '"'
  let last = 0
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c >= 32 && c !== quote && c !== backslash) continue
    const escaped =
      c === quote
        ? '\\"'
        : c === backslash
          ? '\\\\'
          : (named[c] ?? `\\u${c.toString(16).padStart(4, '0')}`)
    out += value.slice(last, i) + escaped
    last = i + 1
  }
  return `${out + value.slice(last)}"`
}

/** Index after the closing quote of the JSON string whose opening quote is at `start`. */
export function jsonStringEnd(doc: string, start: number): number {
  let from = start + 1
  for (;;) {
    const q = doc.indexOf('"', from)
    if (q < 0) return -1
    let b = q - 1
    while (doc.charCodeAt(b) === backslash) b--
    if ((q - 1 - b) % 2 === 0) return q + 1 // an even run of backslashes escapes nothing
    from = q + 1
  }
}

/** The value of the JSON string literal `doc[start, end)`; a bad escape is reported by its position. */
export function decodeJsonString(doc: string, start: number, end: number): string {
  const raw = doc.slice(start + 1, end - 1)
  if (!raw.includes('\\')) return raw
  // A single string token: JSON.parse is the exact decoder (\uXXXX, surrogate pairs).
  try {
    return JSON.parse(doc.slice(start, end)) as string
  } catch {
    throw invalidJson(start)
  }
}

/** Errors name the position, never the content. */
export function invalidJson(at: number): Error {
  return new Error(`json: not valid JSON (at character ${at + 1})`)
}

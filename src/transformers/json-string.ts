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

/**
 * Errors name the position, never the content. `at` is 0-based; a scanner of bytes
 * reads it back to report characters instead.
 */
export function invalidJson(at: number): Error & { at: number } {
  return Object.assign(new Error(`json: not valid JSON (at character ${at + 1})`), { at })
}

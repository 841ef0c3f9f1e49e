/**
 * PostgreSQL COPY text format, exactly: fields split by tabs, rows by
 * newlines, `\N` for NULL, and backslash escapes for backslash and control
 * characters. Only fields that are transformed are decoded; everything else
 * is copied as bytes.
 */

const escapeNeeded = /[\\\n\r\t\b\f\v]/
const escapeAll = /[\\\n\r\t\b\f\v]/g
const escapes: Record<string, string> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
  '\v': '\\v',
}
const unescapes: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' }

/** A value as COPY text writes it (not NULL: that is `\N`). */
export function escapeCopyValue(value: string): string {
  return escapeNeeded.test(value) ? value.replace(escapeAll, (c) => escapes[c] ?? c) : value
}

/** A COPY text field back to its value (not `\N`: callers check for NULL first). */
export function unescapeCopyValue(field: string): string {
  if (!field.includes('\\')) return field
  let out = ''
  let i = 0
  while (i < field.length) {
    const slash = field.indexOf('\\', i)
    if (slash < 0 || slash === field.length - 1) {
      out += field.slice(i)
      break
    }
    out += field.slice(i, slash)
    const c = field.charAt(slash + 1)
    i = slash + 2
    const simple = unescapes[c]
    if (simple !== undefined) {
      out += simple
    } else if (c >= '0' && c <= '7') {
      let digits = c
      while (
        digits.length < 3 &&
        i < field.length &&
        field.charAt(i) >= '0' &&
        field.charAt(i) <= '7'
      ) {
        digits += field.charAt(i++)
      }
      out += String.fromCharCode(Number.parseInt(digits, 8) & 0xff)
    } else if (c === 'x' && /[0-9a-fA-F]/.test(field.charAt(i))) {
      let digits = field.charAt(i++)
      if (/[0-9a-fA-F]/.test(field.charAt(i))) digits += field.charAt(i++)
      out += String.fromCharCode(Number.parseInt(digits, 16))
    } else {
      out += c
    }
  }
  return out
}

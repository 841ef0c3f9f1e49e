const openBrace = 123
const closeBrace = 125
const comma = 44
const quote = 34
const backslash = 92

/**
 * Rewrite every non-NULL element of a PostgreSQL array literal (`array_out` text)
 * through `fn`, keeping dimensions, NULLs and a `[lo:hi]=` bounds prefix. A null
 * result becomes NULL. The delimiter is ',' (every type but box).
 */
export function mapPgArray(text: string, fn: (element: string) => string | null): string {
  let i = 0
  let out = ''
  if (text.startsWith('[')) {
    const eq = text.indexOf('=')
    if (eq < 0) throw invalid(0)
    out = text.slice(0, eq + 1)
    i = eq + 1
  }
  if (text.charCodeAt(i) !== openBrace) throw invalid(i)
  let depth = 0
  const n = text.length
  while (i < n) {
    const c = text.charCodeAt(i)
    if (c === openBrace || c === closeBrace || c === comma) {
      out += text[i]
      i++
      if (c === openBrace) depth++
      else if (c === closeBrace && --depth === 0) break
    } else if (isSpace(c)) {
      i++
    } else if (c === quote) {
      const end = quotedEnd(text, i)
      out += serialize(fn(unescapeElement(text.slice(i + 1, end - 1))))
      i = end
    } else {
      const end = unquotedEnd(text, i)
      const raw = text.slice(i, end).trimEnd()
      out +=
        raw.length === 4 && raw.toUpperCase() === 'NULL'
          ? 'NULL'
          : serialize(fn(unescapeElement(raw)))
      i = end
    }
  }
  if (depth !== 0 || text.slice(i).trim() !== '') throw invalid(i)
  return out
}

/** An element as `array_out` writes it: quoted when PostgreSQL would misread it bare. */
export function serialize(element: string | null): string {
  if (element === null) return 'NULL'
  if (element !== '' && !/[{},"\\\s]/.test(element) && element.toUpperCase() !== 'NULL') {
    return element
  }
  return `"${element.replace(/["\\]/g, '\\$&')}"`
}

/** Index after the closing quote of the quoted element starting at `start`. */
function quotedEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === backslash) i++
    else if (c === quote) return i + 1
  }
  throw invalid(start)
}

/** Index of the ',' or '}' ending the unquoted element starting at `start`. */
function unquotedEnd(text: string, start: number): number {
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === backslash) i++
    else if (c === comma || c === closeBrace) return i
  }
  throw invalid(start)
}

function unescapeElement(raw: string): string {
  return raw.includes('\\') ? raw.replace(/\\(.)/gs, '$1') : raw
}

/** `array_isspace`: the whitespace PostgreSQL skips around elements. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13)
}

function invalid(at: number): Error {
  return new Error(`array: not a PostgreSQL array literal (at character ${at + 1})`)
}

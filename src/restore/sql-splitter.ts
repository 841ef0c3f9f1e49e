/**
 * One piece of a plain-SQL dump: a statement for the server, or a psql
 * meta-command (a line starting with a backslash where a statement would begin).
 */
export type DumpPiece =
  | { kind: 'sql'; sql: string; end: number }
  | { kind: 'meta'; command: string; argument: string; end: number }

/**
 * Find the next complete statement or meta-command in `text` from `from`.
 * Quotes ('…', E'…', "…", $tag$…$tag$) and comments (--, nested /* *\/) are
 * skipped exactly as the server's lexer does, so a `;` or a backslash inside
 * a string or a function body never splits anything. Returns null when the
 * rest is incomplete (more input needed) or holds only whitespace and comments;
 * with `atEnd`, an unterminated last statement is returned as it is.
 *
 * `text` may be a latin1 view of UTF-8 bytes: every character the lexer cares
 * about is ASCII, so offsets are byte offsets.
 */
export function nextPiece(text: string, from: number, atEnd: boolean): DumpPiece | null {
  let i = skipSpaceAndComments(text, from)
  if (i === -1) return null
  if (i >= text.length) return null
  const start = i
  if (text[i] === '\\') {
    const eol = text.indexOf('\n', i)
    if (eol === -1 && !atEnd) return null
    const line = text.slice(i + 1, eol === -1 ? text.length : eol).trim()
    const space = line.search(/\s/)
    return {
      kind: 'meta',
      command: space === -1 ? line : line.slice(0, space),
      argument: space === -1 ? '' : line.slice(space + 1).trim(),
      end: eol === -1 ? text.length : eol + 1,
    }
  }
  while (i < text.length) {
    const c = text[i]
    if (c === ';') return { kind: 'sql', sql: text.slice(start, i + 1), end: i + 1 }
    const next = skipToken(text, i)
    if (next === -1) break
    i = next
  }
  if (atEnd && text.slice(start).trim() !== '') {
    return { kind: 'sql', sql: text.slice(start).trimEnd(), end: text.length }
  }
  return null
}

/** Index of the first character after whitespace and comments; -1 inside an unfinished comment. */
function skipSpaceAndComments(text: string, from: number): number {
  let i = from
  while (i < text.length) {
    const c = text[i]
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r' || c === '\f') {
      i++
    } else if (c === '-' && text[i + 1] === '-') {
      const eol = text.indexOf('\n', i)
      if (eol === -1) return -1
      i = eol + 1
    } else if (c === '/' && text[i + 1] === '*') {
      i = skipBlockComment(text, i)
      if (i === -1) return -1
    } else {
      return i
    }
  }
  return i
}

/** The index after the token starting at `i`; -1 when it is not finished yet. */
function skipToken(text: string, i: number): number {
  const c = text[i]
  if (c === "'") {
    const escapes = i > 0 && /[eE]/.test(text[i - 1] ?? '') && !isIdentChar(text[i - 2])
    return skipQuoted(text, i, "'", escapes)
  }
  if (c === '"') return skipQuoted(text, i, '"', false)
  if (c === '-' && text[i + 1] === '-') {
    const eol = text.indexOf('\n', i)
    return eol === -1 ? -1 : eol + 1
  }
  if (c === '/' && text[i + 1] === '*') return skipBlockComment(text, i)
  if (c === '$' && !isIdentChar(text[i - 1])) {
    const tag = /^\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 70))
    if (tag) {
      const close = text.indexOf(tag[0], i + tag[0].length)
      return close === -1 ? -1 : close + tag[0].length
    }
  }
  return i + 1
}

function skipQuoted(text: string, i: number, quote: string, escapes: boolean): number {
  let j = i + 1
  while (j < text.length) {
    const c = text[j]
    if (escapes && c === '\\') {
      j += 2
    } else if (c === quote) {
      if (text[j + 1] === quote) j += 2
      else if (j + 1 >= text.length)
        return -1 // a doubled quote may follow in the next chunk
      else return j + 1
    } else {
      j++
    }
  }
  return -1
}

function skipBlockComment(text: string, i: number): number {
  let depth = 0
  let j = i
  while (j < text.length) {
    if (text[j] === '/' && text[j + 1] === '*') {
      depth++
      j += 2
    } else if (text[j] === '*' && text[j + 1] === '/') {
      depth--
      j += 2
      if (depth === 0) return j
    } else {
      j++
    }
  }
  return -1
}

function isIdentChar(c: string | undefined): boolean {
  return c !== undefined && /[\w$\u0080-\uffff]/.test(c)
}

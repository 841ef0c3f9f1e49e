/** The head of one HTTP/1.1 request at the start of a buffer, as the bench's reply catcher reads it. */
export interface HttpHead {
  /** The request or status line, e.g. `POST /response/7 HTTP/1.1` or `HTTP/1.1 200 OK`. */
  firstLine: string
  /** Bytes of the head, blank line included: the body starts here. */
  bodyStart: number
  /** The declared body length; null when none is declared (or the body is chunked). */
  contentLength: number | null
  /** `transfer-encoding: chunked`. */
  chunked: boolean
  /** `connection: close` was declared. */
  close: boolean
}

const blankLine = Buffer.from('\r\n\r\n')

/**
 * Parses the head at the start of `buf`, or returns null while it is incomplete. Only
 * what the reply catcher needs: the first line, `content-length`,
 * `transfer-encoding` and `connection` (names case-insensitive).
 */
export function parseHttpHead(buf: Buffer): HttpHead | null {
  const end = buf.indexOf(blankLine)
  if (end < 0) return null
  const lines = buf.toString('latin1', 0, end).split('\r\n')
  let contentLength: number | null = null
  let close = false
  let chunked = false
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line
      .slice(colon + 1)
      .trim()
      .toLowerCase()
    if (name === 'content-length') contentLength = /^\d+$/.test(value) ? Number(value) : null
    else if (name === 'connection') close = value === 'close'
    else if (name === 'transfer-encoding') chunked = value !== 'identity'
  }
  return {
    firstLine: lines[0] ?? '',
    bodyStart: end + blankLine.length,
    contentLength: chunked ? null : contentLength,
    chunked,
    close,
  }
}

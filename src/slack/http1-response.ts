/** The most a response's head (status line and headers), or its chunked trailers, may take. */
const headLimit = 64 * 1024
/** The most a chunk-size line (size and extensions) may take. */
const lineLimit = 4096

const blankLine = Buffer.from('\r\n\r\n')
const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: |$)/
const closeToken = /(?:^|,)\s*close\s*(?:,|$)/
const keepAliveToken = /(?:^|,)\s*keep-alive\s*(?:,|$)/
const hexSize = /^[0-9a-fA-F]{1,12}$/

/** Where the reader is in an answer. */
const State = {
  Head: 0,
  Length: 1,
  ChunkSize: 2,
  ChunkData: 3,
  ChunkEnd: 4,
  Trailers: 5,
  UntilClose: 6,
  Done: 7,
} as const
type State = (typeof State)[keyof typeof State]

/**
 * Reads one HTTP/1.1 answer at a time from a client connection, as its bytes come, and
 * never keeps a body: the status line (`HTTP/1.x NNN`, else an error), headers (at most
 * 64 KiB), 1xx interim answers skipped, then a body by `content-length`, by
 * `transfer-encoding: chunked` (sizes read, data discarded, trailers read to the blank
 * line), none for 204 and 304, or, with neither, until the server closes. Errors are
 * thrown with a short reason and never quote the bytes read.
 */
export class Http1Response {
  /** The final answer's status code (0 until its head is read). */
  status = 0
  /** Whether the connection may carry another request after this answer. */
  keepAlive = true
  /** The server's `keep-alive: timeout=N`, in ms; null when it gave none. */
  keepAliveMs: number | null = null
  private state: State = State.Head
  private head: Buffer | null = null
  private left = 0
  /** The last whole line read in the body (chunk size, chunk end, trailer). */
  private line = ''
  /** A line's start, read before the rest of it came. */
  private partial = ''
  private trailerBytes = 0

  /** Ready for the next answer on the same connection. */
  reset(): void {
    this.status = 0
    this.keepAlive = true
    this.keepAliveMs = null
    this.state = State.Head
    this.head = null
    this.line = ''
    this.partial = ''
    this.trailerBytes = 0
  }

  /** Whether the answer's body runs until the server closes (the connection is not reused). */
  get untilClose(): boolean {
    return this.state === State.UntilClose
  }

  /**
   * Reads `chunk` from `at`. Returns where in it the answer ended (bytes from there on
   * are not this answer's), or -1 when all of it was read and the answer goes on.
   */
  feed(chunk: Buffer, at = 0): number {
    while (at < chunk.length) {
      switch (this.state) {
        case State.Head:
          at = this.readHead(chunk, at)
          break
        case State.Length:
          at = this.skip(chunk, at, State.Done)
          break
        case State.ChunkSize:
          at = this.readLine(chunk, at, lineLimit)
          if (at >= 0) this.chunkSize()
          break
        case State.ChunkData:
          at = this.skip(chunk, at, State.ChunkEnd)
          break
        case State.ChunkEnd:
          at = this.readLine(chunk, at, lineLimit)
          if (at < 0) break
          if (this.line !== '') throw new Error('a chunk longer than its size')
          this.state = State.ChunkSize
          break
        case State.Trailers:
          at = this.readLine(chunk, at, headLimit - this.trailerBytes)
          if (at < 0) break
          this.trailerBytes += this.line.length + 2
          if (this.line === '') this.state = State.Done
          break
        case State.UntilClose:
          return -1
        case State.Done:
          return at
      }
      if (at < 0) return -1
    }
    return this.state === State.Done ? at : -1
  }

  /** Passes over body bytes (`left` of them); then `next`. */
  private skip(chunk: Buffer, at: number, next: State): number {
    const n = Math.min(this.left, chunk.length - at)
    this.left -= n
    if (this.left === 0) this.state = next
    return at + n
  }

  private readHead(chunk: Buffer, at: number): number {
    let buf = chunk
    let from = at
    const kept = this.head ? this.head.length : 0
    if (this.head) {
      // Only a head split across reads is copied; a body never is.
      buf = Buffer.concat([this.head, chunk.subarray(at)])
      from = 0
    }
    const end = buf.indexOf(blankLine, Math.max(from, kept - 3))
    if (end < 0) {
      if (buf.length - from > headLimit) throw new Error('a head larger than 64 KiB')
      this.head = kept > 0 ? buf : Buffer.from(buf.subarray(from))
      return -1
    }
    if (end - from > headLimit) throw new Error('a head larger than 64 KiB')
    this.head = null
    this.parseHead(buf.toString('latin1', from, end))
    return at + end + 4 - from - kept
  }

  private parseHead(text: string): void {
    const firstEnd = text.indexOf('\r\n')
    const match = statusLine.exec(firstEnd < 0 ? text : text.slice(0, firstEnd))
    if (!match) throw new Error('a status line that is not HTTP/1.x NNN')
    const status = Number(match[2])
    let length: number | null = null
    let transfer: string | null = null
    let connection = ''
    let keepAliveMs: number | null = null
    for (let at = firstEnd < 0 ? text.length : firstEnd + 2; at < text.length; ) {
      let end = text.indexOf('\r\n', at)
      if (end < 0) end = text.length
      const colon = text.indexOf(':', at)
      if (colon < 0 || colon > end) throw new Error('a header line without a colon')
      const name = text.slice(at, colon).trim().toLowerCase()
      const from = colon + 1
      at = end + 2
      if (name === 'content-length') {
        const value = text.slice(from, end).trim()
        if (!/^\d{1,15}$/.test(value) || (length !== null && length !== Number(value))) {
          throw new Error('a malformed content-length')
        }
        length = Number(value)
      } else if (name === 'transfer-encoding') transfer = text.slice(from, end).toLowerCase()
      else if (name === 'connection') connection += `,${text.slice(from, end).toLowerCase()}`
      else if (name === 'keep-alive') {
        const timeout = /(?:^|[,;\s])timeout\s*=\s*(\d{1,9})/i.exec(text.slice(from, end))
        if (timeout) keepAliveMs = Number(timeout[1]) * 1000
      }
    }
    if (status < 200) {
      // An interim answer (100 Continue, 103 Early Hints): the final one follows.
      if (status === 101) throw new Error('a protocol switch nobody asked for')
      return
    }
    this.status = status
    this.keepAliveMs = keepAliveMs
    this.keepAlive =
      match[1] === '1' ? !closeToken.test(connection) : keepAliveToken.test(connection)
    if (status === 204 || status === 304) this.state = State.Done
    else if (transfer !== null) {
      // Chunked must be the last coding; any other body runs until the close.
      this.state = /(?:^|,)\s*chunked\s*$/.test(transfer) ? State.ChunkSize : State.UntilClose
    } else if (length !== null) {
      this.left = length
      this.state = length === 0 ? State.Done : State.Length
    } else this.state = State.UntilClose
    if (this.state === State.UntilClose) this.keepAlive = false
  }

  private chunkSize(): void {
    const semi = this.line.indexOf(';')
    const size = (semi < 0 ? this.line : this.line.slice(0, semi)).trim()
    if (!hexSize.test(size)) throw new Error('a malformed chunk size')
    this.left = Number.parseInt(size, 16)
    this.state = this.left === 0 ? State.Trailers : State.ChunkData
  }

  /** Reads up to a line's end into `line` (its CRLF dropped); -1 while it is incomplete. */
  private readLine(chunk: Buffer, at: number, limit: number): number {
    const nl = chunk.indexOf(10, at)
    const line = this.partial + chunk.toString('latin1', at, nl < 0 ? chunk.length : nl)
    if (line.length > limit) throw new Error('a chunk line or trailer that is too long')
    if (nl < 0) {
      this.partial = line
      return -1
    }
    this.partial = ''
    this.line = line.endsWith('\r') ? line.slice(0, -1) : line
    return nl + 1
  }
}

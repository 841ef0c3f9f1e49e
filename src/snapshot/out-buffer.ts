/** A growable byte buffer for building COPY blocks without a Buffer per row. */
export class OutBuffer {
  private buf: Buffer
  length = 0

  constructor(initial = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initial)
  }

  private reserve(extra: number): void {
    const need = this.length + extra
    if (need <= this.buf.length) return
    const next = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2))
    this.buf.copy(next, 0, 0, this.length)
    this.buf = next
  }

  /** Append a string as UTF-8. */
  writeString(s: string): void {
    this.reserve(s.length * 3)
    this.length += this.buf.write(s, this.length, 'utf8')
  }

  /** Append one byte. */
  writeByte(b: number): void {
    this.reserve(1)
    this.buf[this.length++] = b
  }

  /** Append `src[start, end)`. */
  writeBytes(src: Buffer, start = 0, end = src.length): void {
    this.reserve(end - start)
    this.length += src.copy(this.buf, this.length, start, end)
  }

  /** The bytes written so far, without a copy: valid until the next write. */
  view(): Buffer {
    return this.buf.subarray(0, this.length)
  }

  /** Empty it for reuse, keeping its memory. */
  clear(): void {
    this.length = 0
  }

  /** The bytes written so far, copied out; the buffer is emptied for reuse. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.length))
    this.length = 0
    return out
  }
}

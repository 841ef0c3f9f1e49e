import type { ByteSink } from '../transformers/index.js'

/** Up to this many UTF-16 units, a JavaScript loop writes an ASCII string faster than `Buffer.write`. */
const shortString = 64
/** Up to this many bytes, a JavaScript loop copies faster than `Buffer.copy`. */
const shortCopy = 32

/** A growable byte buffer for building COPY blocks without a Buffer per row. */
export class OutBuffer implements ByteSink {
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
    const n = s.length
    this.reserve(n * 3)
    if (n > shortString) {
      this.length += this.buf.write(s, this.length, 'utf8')
      return
    }
    const buf = this.buf
    let o = this.length
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i)
      if (c >= 0x80) {
        // Not ASCII: the rest as UTF-8 (char i-1 was ASCII, so no pair is split).
        this.length = o + buf.write(i === 0 ? s : s.slice(i), o, 'utf8')
        return
      }
      buf[o++] = c
    }
    this.length = o
  }

  /** Room for `extra` more bytes at `length`: the buffer to write them into (see ByteSink). */
  room(extra: number): Buffer {
    this.reserve(extra)
    return this.buf
  }

  /** Append one byte. */
  writeByte(b: number): void {
    this.reserve(1)
    this.buf[this.length++] = b
  }

  /** Append `src[start, end)`. */
  writeBytes(src: Buffer, start = 0, end = src.length): void {
    const n = end - start
    this.reserve(n)
    if (n > shortCopy) {
      this.length += src.copy(this.buf, this.length, start, end)
      return
    }
    const buf = this.buf
    let o = this.length
    for (let i = start; i < end; i++) buf[o++] = src[i] as number
    this.length = o
  }

  /** Whether a byte written at or after `from` is a quote, a backslash or a control character. */
  needsJsonEscape(from: number): boolean {
    const buf = this.buf
    for (let i = from; i < this.length; i++) {
      const b = buf[i] as number
      if (b < 32 || b === 34 || b === 92) return true
    }
    return false
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

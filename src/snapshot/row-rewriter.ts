import { type ByteTransform, stageForDigests, type ValueTransform } from '../transformers/index.js'
import { escapeCopyValue, unescapeCopyValue } from './copy-text.js'
import type { OutBuffer } from './out-buffer.js'

const NEWLINE = 10
const TAB = 9
const BACKSLASH = 92
const N = 78
/**
 * A byte that is not ASCII, or a backslash (a COPY escape), in a batch decoded
 * as latin1. A field without one is "plain": its bytes are its value's.
 */
const special = /[\\\x80-\xff]/g
/** Bytes of rows decoded at once: below V8's large-object threshold (128 KiB). */
const segmentBytes = 64 * 1024
/** Fields longer than this are decoded on their own (see fieldValue). */
const longField = 64

/** Streams COPY text rows through the transforms of their leading fields. */
export interface RowRewriter {
  /** Feed raw COPY bytes (any chunking); complete rows are written to the out buffer. */
  push(chunk: Buffer): void
  /** The stream ended: throws if it stopped in the middle of a row. */
  end(): void
  /** Rows written so far. */
  readonly rows: number
}

/** The rule of one leading field. */
export interface FieldTransform {
  fn: ValueTransform
  /** Its output never needs COPY escaping (the transformer declares `copySafe`). */
  copySafe: boolean
  /** The fast path for plain fields (ASCII, no escape): bytes in, bytes out, no string. */
  bytes?: ByteTransform | null
}

/**
 * Rows must arrive with the transformed columns first (the engine selects
 * them so): field i for i < transforms.length goes through transforms[i];
 * the rest of each row is copied as bytes, never decoded.
 */
export function createRowRewriter(
  transforms: readonly FieldTransform[],
  out: OutBuffer,
  describe: () => string,
): RowRewriter {
  const k = transforms.length
  let pending: Buffer[] = []
  let rows = 0

  /** The segment of rows being processed, as latin1: character i is byte i, so offsets serve both. */
  let text = ''
  /** Index of the first special byte at or after the last place looked, or Infinity. */
  let specialAt = Number.POSITIVE_INFINITY
  const specialFrom = (from: number): number => {
    special.lastIndex = from
    return special.exec(text)?.index ?? Number.POSITIVE_INFINITY
  }

  /**
   * A field's value. A short plain field is a slice of the batch's latin1
   * text: no call into the runtime. A field with other bytes is decoded as
   * UTF-8, and so is a long one (a document, free text): the call costs little
   * next to its length, and a flat string scans faster than a slice.
   */
  const fieldValue = (buf: Buffer, start: number, end: number): string => {
    if (end - start > longField) return buf.toString('utf8', start, end)
    return isPlain(start, end) ? text.slice(start, end) : buf.toString('utf8', start, end)
  }

  /** The field `[start, end)` holds only ASCII and no COPY escape. */
  const isPlain = (start: number, end: number): boolean => {
    if (specialAt < start) specialAt = specialFrom(start)
    return specialAt >= end
  }

  /** Index of the first backslash at or after the last place looked, or Infinity; -1: not looked yet. */
  let backslashAt = -1
  /** The field `[start, end)` holds a backslash (a COPY escape). */
  const hasBackslash = (start: number, end: number): boolean => {
    if (backslashAt < start) {
      backslashAt = text.indexOf('\\', start)
      if (backslashAt < 0) backslashAt = Number.POSITIVE_INFINITY
    }
    return backslashAt < end
  }

  /**
   * Each transformed field is written into the out buffer as it is made: a
   * plain field through its transform's fast path when there is one (no
   * string at all), and a field without a backslash too when that fast path
   * takes UTF-8 (`utf8`: json); any other through the string function.
   */
  const rewriteRow = (buf: Buffer, start: number, nl: number): void => {
    let fieldStart = start
    for (let i = 0; i < k; i++) {
      const transform = transforms[i] as FieldTransform
      let end = text.indexOf('\t', fieldStart)
      if (end < 0 || end > nl) end = nl
      if (end === nl && i < k - 1) {
        throw new Error(`${describe()}: row ${rows + 1} has fewer fields than expected`)
      }
      if (
        end - fieldStart === 2 &&
        text.charCodeAt(fieldStart) === BACKSLASH &&
        text.charCodeAt(fieldStart + 1) === N
      ) {
        out.writeByte(BACKSLASH)
        out.writeByte(N)
      } else if (
        transform.bytes &&
        // A fast path that takes UTF-8 (json) finds other than ASCII itself, where it
        // matters (its leaves): the field is not searched for it first.
        (transform.bytes.utf8 === true ? !hasBackslash(fieldStart, end) : isPlain(fieldStart, end))
      ) {
        transform.bytes(buf, fieldStart, end, out, text)
      } else {
        const result = transform.fn(unescapeCopyValue(fieldValue(buf, fieldStart, end)))
        if (result === null) {
          out.writeByte(BACKSLASH)
          out.writeByte(N)
        } else out.writeString(transform.copySafe ? result : escapeCopyValue(result))
      }
      if (end === nl) {
        out.writeByte(NEWLINE)
        return
      }
      out.writeByte(TAB)
      fieldStart = end + 1
    }
    out.writeBytes(buf, fieldStart, nl + 1)
  }

  const process = (buf: Buffer): number => {
    let pos = 0
    if (k === 0) {
      const last = buf.lastIndexOf(NEWLINE)
      if (last < 0) return 0
      for (
        let nl = buf.indexOf(NEWLINE);
        nl >= 0 && nl <= last;
        nl = buf.indexOf(NEWLINE, nl + 1)
      ) {
        rows++
      }
      out.writeBytes(buf, 0, last + 1)
      return last + 1
    }
    // Whole rows of up to `segmentBytes` at a time (a longer row alone).
    while (pos < buf.length) {
      let cut = buf.length
      if (pos + segmentBytes < buf.length) {
        cut = buf.lastIndexOf(NEWLINE, pos + segmentBytes - 1) + 1
        if (cut <= pos) {
          const nl = buf.indexOf(NEWLINE, pos + segmentBytes)
          cut = nl < 0 ? buf.length : nl + 1
        }
      }
      // In the digests' memory, so fast paths hash fields where they are.
      const used = processSegment(stageForDigests(buf.subarray(pos, cut)))
      pos += used
      if (pos < cut) break
    }
    return pos
  }

  /**
   * One decode per segment; each field is then found and cut out of a string,
   * which costs far less than a Buffer.indexOf and a toString per field.
   * Segments stay under V8's large-object size, so their strings die young:
   * a megabyte string per batch went to the old generation and tripled the
   * full collections.
   */
  const processSegment = (buf: Buffer): number => {
    let pos = 0
    text = buf.toString('latin1')
    specialAt = specialFrom(0)
    backslashAt = -1
    try {
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', pos)) {
        rewriteRow(buf, pos, nl)
        rows++
        pos = nl + 1
      }
    } finally {
      text = ''
    }
    return pos
  }

  return {
    push(chunk) {
      if (pending.length > 0) {
        if (chunk.indexOf(NEWLINE) < 0) {
          pending.push(chunk)
          return
        }
        pending.push(chunk)
        chunk = Buffer.concat(pending)
        pending = []
      }
      const used = process(chunk)
      if (used < chunk.length) pending.push(Buffer.from(chunk.subarray(used)))
    },
    end() {
      if (pending.some((p) => p.length > 0)) {
        throw new Error(`${describe()}: the COPY stream ended in the middle of a row`)
      }
    },
    get rows() {
      return rows
    },
  }
}

import type { ValueTransform } from '../transformers/index.js'
import { escapeCopyValue, unescapeCopyValue } from './copy-text.js'
import type { OutBuffer } from './out-buffer.js'

const TAB = 9
const NEWLINE = 10
const BACKSLASH = 92
const N = 78

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

  const rewriteRow = (buf: Buffer, start: number, nl: number): void => {
    let fieldStart = start
    for (let i = 0; i < k; i++) {
      const transform = transforms[i] as FieldTransform
      let end = buf.indexOf(TAB, fieldStart)
      if (end < 0 || end > nl) end = nl
      if (end === nl && i < k - 1) {
        throw new Error(`${describe()}: row ${rows + 1} has fewer fields than expected`)
      }
      if (end - fieldStart === 2 && buf[fieldStart] === BACKSLASH && buf[fieldStart + 1] === N) {
        out.writeByte(BACKSLASH)
        out.writeByte(N)
      } else {
        const result = transform.fn(unescapeCopyValue(buf.toString('utf8', fieldStart, end)))
        if (result === null) {
          out.writeByte(BACKSLASH)
          out.writeByte(N)
        } else {
          out.writeString(transform.copySafe ? result : escapeCopyValue(result))
        }
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
    for (let nl = buf.indexOf(NEWLINE); nl >= 0; nl = buf.indexOf(NEWLINE, pos)) {
      rewriteRow(buf, pos, nl)
      rows++
      pos = nl + 1
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

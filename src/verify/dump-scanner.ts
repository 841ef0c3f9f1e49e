import { maxPatternBytes } from './leak-patterns.js'
import { type PrefixIndex, prefixBytes, wordSlot } from './prefix-index.js'

/** Where a match was found: a table and column of a COPY block, or null outside table data. */
export type OnMatch = (table: string | null, column: string | null, pattern: number) => void

/** Scans uncompressed dump text fed in chunks of any size; matches may straddle chunks. */
export interface DumpScanner {
  write(chunk: Buffer): void
  end(): void
  /** Uncompressed bytes scanned so far. */
  readonly bytes: number
}

const copyHeader = /^COPY ("(?:[^"]|"")*"(?:\."(?:[^"]|"")*")?) \((.*)\) FROM stdin;$/
const quotedName = /"((?:[^"]|"")*)"/g
/** Bytes kept before the next unscanned start: the byte before it and its escape (a multiple of 4). */
const lookBehind = 8

/**
 * A single pass over plain-SQL dump text that finds every indexed pattern and
 * names the table and column it sits in. Lines are found with the native
 * `indexOf`, and each line is read as aligned 4-byte words against the index
 * (see prefix-index.ts); COPY blocks are followed by their header line and
 * `\.` terminator; the field of a match is counted only when there is one. A match
 * must stand on word boundaries (a `10.20.0.5` does not match inside
 * `10.20.0.55`); a COPY escape such as `\n` before it counts as a boundary.
 */
export function createDumpScanner(index: PrefixIndex, onMatch: OnMatch): DumpScanner {
  const { filter, byPrefix, patterns } = index
  // A match may reach this far past its start; +8 to read its aligned word, check
  // its end boundary and a `\.` line after a newline.
  const reach = index.maxLength + 8
  let buf: Buffer = Buffer.allocUnsafeSlow(0)
  let pos = 0
  let bytes = 0
  let inCopy = false
  let table: string | null = null
  let columns: string[] = []
  /** Where the current line started in `buf`, and the tabs of its part before `buf`. */
  let lineStart = 0
  let tabsBefore = 0
  /** Outside COPY: the current line's parts before `buf`. */
  let lineParts: Buffer[] = []

  const check = (s: number) => {
    if (s < 0 || s + prefixBytes > buf.length) return
    const candidates = byPrefix.get(buf.readUIntBE(s, prefixBytes))
    if (!candidates) return
    for (const idx of candidates) {
      const p = patterns[idx] as Buffer
      const end = s + p.length
      if (end > buf.length) continue
      let k = prefixBytes
      while (k < p.length && buf[s + k] === p[k]) k++
      if (k < p.length) continue
      if (isWord(p[0] as number) && s > 0 && isWord(buf[s - 1] as number) && !afterEscape(s)) {
        continue
      }
      if (
        p.length < maxPatternBytes &&
        isWord(p[p.length - 1] as number) &&
        end < buf.length &&
        isWord(buf[end] as number)
      ) {
        continue
      }
      onMatch(table, table === null ? null : (columns[fieldAt(s)] ?? null), idx)
    }
  }

  const afterEscape = (s: number) => s >= 2 && buf[s - 2] === 92 && isEscapeLetter(buf[s - 1])

  const fieldAt = (s: number) => {
    let tabs = tabsBefore
    for (let k = lineStart; k < s; k++) if (buf[k] === 9) tabs++
    return tabs
  }

  /** The line ending at the newline `nl`; `buf` holds at least 3 bytes after it (unless at the end). */
  const newline = (nl: number) => {
    if (inCopy) {
      if (buf[nl + 1] === 92 && buf[nl + 2] === 46 && buf[nl + 3] === 10) {
        inCopy = false
        table = null
      }
    } else {
      const line = Buffer.concat([...lineParts, buf.subarray(lineStart, nl)]).toString('utf8')
      lineParts = []
      const m = copyHeader.exec(line)
      if (m) {
        inCopy = true
        table = names(m[1] as string).join('.')
        columns = names(m[2] as string)
      }
    }
    lineStart = nl + 1
    tabsBefore = 0
  }

  const scan = (final: boolean) => {
    const limit = final ? buf.length : buf.length - reach
    if (limit <= pos) return
    // `buf` starts at byte 0 of its own ArrayBuffer (see write), so words are aligned.
    const words = new Int32Array(buf.buffer, buf.byteOffset, buf.length >> 2)
    const lastWord = (buf.length >> 2) << 2
    let i = pos
    while (i < limit) {
      const nl = buf.indexOf(10, i)
      const end = nl < 0 || nl >= limit ? limit : nl
      // Starts in [i, end): each is checked from the one aligned word in its first four bytes.
      const stop = Math.min(end + 3, lastWord - 3)
      for (let p = (i + 3) & ~3; p < stop; p += 4) {
        const bits = filter[wordSlot(words[p >> 2] as number)] as number
        if (bits === 0) continue
        for (let o = 0; o < 4; o++) {
          const start = p - o
          if ((bits >> o) & 1 && start >= i && start < end) check(start)
        }
      }
      if (end === nl) {
        newline(nl)
        i = nl + 1
      } else {
        i = end
      }
    }
    bytes += limit - pos
    // Keep what a later match may start in or look back at (from a multiple of 4, so
    // words stay aligned); a line keeps its tab count.
    const keepFrom = Math.max(0, (limit - lookBehind) & ~3)
    if (lineStart < keepFrom) {
      if (!inCopy) lineParts.push(Buffer.from(buf.subarray(lineStart, keepFrom)))
      for (let k = lineStart; k < keepFrom; k++) if (buf[k] === 9) tabsBefore++
      lineStart = keepFrom
    }
    lineStart -= keepFrom
    buf = buf.subarray(keepFrom)
    pos = limit - keepFrom
  }

  return {
    write(chunk) {
      // A buffer of its own (not from the pool) starts at an aligned offset.
      const next = Buffer.allocUnsafeSlow(buf.length + chunk.length)
      buf.copy(next, 0)
      chunk.copy(next, buf.length)
      buf = next
      scan(false)
    },
    end() {
      scan(true)
    },
    get bytes() {
      return bytes
    },
  }
}

function names(list: string): string[] {
  return [...list.matchAll(quotedName)].map((q) => (q[1] as string).replaceAll('""', '"'))
}

function isWord(b: number): boolean {
  return (b >= 48 && b <= 57) || ((b | 32) >= 97 && (b | 32) <= 122) || b >= 128
}

function isEscapeLetter(b: number | undefined): boolean {
  return b === 110 || b === 116 || b === 114 || b === 98 || b === 102 || b === 118
}

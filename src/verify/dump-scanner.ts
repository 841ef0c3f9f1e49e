import { maxPatternBytes } from './leak-patterns.js'
import { type PrefixIndex, prefixBytes, windowSlot } from './prefix-index.js'

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
/** Bytes kept before the next unscanned position: a match's start and the byte before it. */
const lookBehind = 8

/**
 * A single pass over plain-SQL dump text that finds every indexed pattern and
 * names the table and column it sits in. Lines are found with the native
 * `indexOf`; COPY blocks are followed by their header line and `\.`
 * terminator; the field of a match is counted only when there is one. A match
 * must stand on word boundaries (a `10.20.0.5` does not match inside
 * `10.20.0.55`); a COPY escape such as `\n` before it counts as a boundary.
 */
export function createDumpScanner(index: PrefixIndex, onMatch: OnMatch): DumpScanner {
  const { filter, byPrefix, patterns } = index
  // A match may reach this far past its first byte; +4 to check its end
  // boundary and a `\.` line after a newline.
  const reach = index.maxLength + 4
  let buf: Buffer = Buffer.alloc(0)
  let pos = 0
  let bytes = 0
  let window = 0
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
    const data = buf
    let w = window
    let i = pos
    while (i < limit) {
      const nl = data.indexOf(10, i)
      const stop = nl < 0 || nl >= limit ? limit : nl + 1
      for (let k = i; k < stop; k++) {
        w = (w << 8) | (data[k] as number)
        const slot = windowSlot(w)
        if (((filter[slot >>> 5] as number) >>> (slot & 31)) & 1) check(k - 3)
      }
      if (stop === nl + 1) newline(nl)
      i = stop
    }
    window = w
    bytes += limit - pos
    // Keep what a later match may start in or look back at; a line keeps its tab count.
    const keepFrom = Math.max(0, limit - lookBehind)
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
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk])
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

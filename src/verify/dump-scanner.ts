import { maxPatternBytes } from './leak-patterns.js'
import { type PrefixIndex, prefixBytes, windowKey, windowSlot } from './prefix-index.js'

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
const lookBehind = prefixBytes + 2

/**
 * A single pass over plain-SQL dump text that finds every indexed pattern and
 * names the table and column it sits in. It follows COPY blocks (header line,
 * tab-separated fields, the `\.` terminator) while it hashes, so attribution
 * costs one comparison per byte. A match must stand on word boundaries (a
 * `10.20.0.5` does not match inside `10.20.0.55`); a COPY escape such as `\n`
 * before the match counts as a boundary.
 */
export function createDumpScanner(index: PrefixIndex, onMatch: OnMatch): DumpScanner {
  const { filter, byPrefix, patterns } = index
  const reach = index.maxLength - prefixBytes
  let buf: Buffer = Buffer.alloc(0)
  let pos = 0
  let bytes = 0
  let hi = 0
  let lo = 0
  let inCopy = false
  let table: string | null = null
  let columns: string[] = []
  let field = 0
  /** 0 at a line start, 1 after `\`, 2 after `\.`, 3 further into the line. */
  let lineState = 0
  /** Outside COPY: where the current line started in `buf`, and its earlier parts. */
  let lineStart = 0
  let lineParts: Buffer[] = []

  const check = (i: number, key: number) => {
    const candidates = byPrefix.get(key)
    if (!candidates) return
    const s = i - prefixBytes + 1
    if (s < 0) return
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
      onMatch(table, table === null ? null : (columns[field] ?? null), idx)
    }
  }

  const afterEscape = (s: number) => s >= 2 && buf[s - 2] === 92 && isEscapeLetter(buf[s - 1])

  const newline = (i: number) => {
    if (inCopy) {
      if (lineState === 2) {
        inCopy = false
        table = null
      }
    } else {
      const line = Buffer.concat([...lineParts, buf.subarray(lineStart, i)]).toString('utf8')
      lineParts = []
      const m = copyHeader.exec(line)
      if (m) {
        inCopy = true
        table = [...(m[1] as string).matchAll(quotedName)]
          .map((q) => (q[1] as string).replaceAll('""', '"'))
          .join('.')
        columns = [...(m[2] as string).matchAll(quotedName)].map((q) =>
          (q[1] as string).replaceAll('""', '"'),
        )
      }
    }
    lineStart = i + 1
    field = 0
    lineState = 0
  }

  const scan = (final: boolean) => {
    const limit = final ? buf.length : buf.length - reach
    for (let i = pos; i < limit; i++) {
      const b = buf[i] as number
      hi = ((hi << 8) | (lo >>> 24)) & 0xffff
      lo = (lo << 8) | b
      const slot = windowSlot(hi, lo)
      if (((filter[slot >>> 5] as number) >>> (slot & 31)) & 1) check(i, windowKey(hi, lo))
      if (b === 10) {
        newline(i)
      } else {
        if (b === 9) field++
        if (lineState < 3) {
          lineState = lineState === 0 && b === 92 ? 1 : lineState === 1 && b === 46 ? 2 : 3
        }
      }
    }
    if (limit <= pos) return
    bytes += limit - pos
    // Keep what a later match may start in or look back at; a line outside COPY keeps its start.
    const keepFrom = Math.max(0, limit - lookBehind)
    if (!inCopy && lineStart < keepFrom) {
      lineParts.push(Buffer.from(buf.subarray(lineStart, keepFrom)))
      lineStart = keepFrom
    }
    lineStart = Math.max(0, lineStart - keepFrom)
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

function isWord(b: number): boolean {
  return (b >= 48 && b <= 57) || ((b | 32) >= 97 && (b | 32) <= 122) || b >= 128
}

function isEscapeLetter(b: number | undefined): boolean {
  return b === 110 || b === 116 || b === 114 || b === 98 || b === 102 || b === 118
}

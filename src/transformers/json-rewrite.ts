import { createPathAutomaton, type PathNode } from './json-automaton.js'
import type { PathStep } from './json-path.js'
import {
  byteAt,
  containerEnd,
  decodeEscaped,
  hasBackslash,
  invalidJson,
  isAscii,
  literalEnd,
  numberEnd,
  skipSpace,
  stringEnd,
} from './json-scan.js'
import type { ByteSink, ByteTransform } from './transformer.js'

/** What replaces a leaf at a matched path, as JSON text. */
export interface LeafRewrite {
  /** Given a string leaf's decoded value. */
  string(value: string): string
  /** Given a number leaf's JSON text. */
  number(text: string): string
  /**
   * A string leaf's fast path, for plain documents (ASCII, no backslash): the leaf's
   * value is `src[start, end)` (between its quotes). Appends the JSON text `string`
   * returns for it and returns true when that text needs no COPY escape; otherwise
   * appends nothing and returns false, and `string` serves.
   */
  bytes?: (src: Buffer, start: number, end: number, out: ByteSink) => boolean
}

/** A rewriter of one rule set: documents as strings, and plain documents as bytes. */
export interface JsonRewriter {
  (doc: string): string
  /**
   * `src[start, end)` is a document with no backslash (no JSON or COPY escape), in
   * UTF-8: appends the COPY text of what the string function returns for it. With
   * `utf8` false, only for documents all ASCII.
   */
  bytes: ByteTransform
}

/** Where the scanner hands the leaves at matched paths, `src[i, end)`. */
interface LeafSink {
  string(leaf: LeafRewrite, src: Buffer, i: number, end: number, escapes: boolean): void
  number(leaf: LeafRewrite, src: Buffer, i: number, end: number): void
}

export interface JsonPathRule {
  steps: PathStep[]
  leaf: LeafRewrite
}

const [quote, comma, colon, minus] = [34, 44, 58, 45]
const [openBrace, closeBrace, openBracket, closeBracket] = [123, 125, 91, 93]
/** Keys that appear literally in any JSON that holds them unless \u-escaped. */
const plainKey = /^[^"\\/\p{Cc}]+$/u
/** Bytes of the string function's encoding buffer kept between documents. */
const keptScratch = 16 * 1024
/** Stack slots kept between documents; a deeper document's are let go after it. */
const keptDepth = 1024

/**
 * A single-pass rewriter: string and number leaves at (or under) a matched path are
 * replaced; every other byte of the document is kept, so key order, whitespace,
 * duplicate keys and numbers beyond double precision survive. Subtrees no path can
 * reach are skipped without decoding. The scan reads the document's UTF-8 bytes (the
 * string function encodes its document first): a multi-byte character never looks
 * like JSON's structure. A document without a backslash has no escapes: its keys are
 * compared in place and its string leaves are plain slices.
 */
export function createJsonRewriter(rules: readonly JsonPathRule[]): JsonRewriter {
  const { root, member, element } = createPathAutomaton(rules)
  // Each rule's literal keys, quoted as they appear in a document: a document missing one
  // key of every rule cannot match, and is returned without being scanned.
  const needles = rules.map((rule) =>
    rule.steps.flatMap((s) =>
      typeof s.select === 'string' && plainKey.test(s.select) ? [`"${s.select}"`] : [],
    ),
  )
  const canSkip = needles.every((n) => n.length > 0)
  // The open containers, reused from document to document: the node, the leaf
  // rewrite inherited from above, and the element index (-1 for an object).
  const stackNode: PathNode[] = []
  const stackLeaf: (LeafRewrite | undefined)[] = []
  const stackIndex: number[] = []

  /** A document no rule can reach into, returned as it is without being scanned. */
  const unreachable = (doc: string, escapes: boolean): boolean =>
    canSkip &&
    (!escapes || !doc.includes('\\u')) &&
    needles.every((n) => n.some((k) => !doc.includes(k)))

  /**
   * Walks the document `src[from, to)`, handing `sink` each leaf at a matched path, in
   * order. An error's position is a byte offset from `from`.
   */
  const scan = (src: Buffer, from: number, to: number, escapes: boolean, sink: LeafSink): void => {
    if (stackNode.length > keptDepth) stackNode.length = stackLeaf.length = stackIndex.length = 0
    let depth = 0
    let node = root
    let leaf = root.leaf
    let i = skipSpace(src, from, to)
    // The byte at i, read once: whitespace is looked for only where one may be.
    let c = byteAt(src, i, to)
    for (;;) {
      // A value starts at i; `entering` is set when the next member of a container is due.
      let entering = false
      if (c === quote) {
        const end = stringEnd(src, i, to, escapes)
        if (end < 0) throw invalidJson(i - from)
        if (leaf) sink.string(leaf, src, i, end, escapes)
        i = end
      } else if (c === openBrace || c === openBracket) {
        if (node.dead && !leaf) {
          i = containerEnd(src, i, to, escapes, from)
        } else {
          const array = c === openBracket
          i = skipSpace(src, i + 1, to)
          c = byteAt(src, i, to)
          if (c === (array ? closeBracket : closeBrace)) {
            i++
          } else {
            stackNode[depth] = node
            stackLeaf[depth] = leaf
            stackIndex[depth] = array ? 0 : -1
            depth++
            entering = true
          }
        }
      } else if (c === minus || (c >= 48 && c <= 57)) {
        const end = numberEnd(src, i, to)
        if (leaf) sink.number(leaf, src, i, end)
        i = end
      } else {
        i = literalEnd(src, i, to, from)
      }
      // After a value: close finished containers, or step to the next member.
      while (!entering) {
        c = byteAt(src, i, to)
        if (c <= 32 && c >= 0) {
          i = skipSpace(src, i, to)
          c = byteAt(src, i, to)
        }
        if (depth === 0) {
          if (i !== to) throw invalidJson(i - from)
          return
        }
        const index = stackIndex[depth - 1] as number
        if (c === comma) {
          if (index >= 0) stackIndex[depth - 1] = index + 1
          i = skipSpace(src, i + 1, to)
          c = byteAt(src, i, to)
          entering = true
        } else if (c === (index >= 0 ? closeBracket : closeBrace)) {
          depth--
          i++
        } else {
          throw invalidJson(i - from)
        }
      }
      // Into the member: read its key (objects), then work out which paths reach it.
      const parent = stackNode[depth - 1] as PathNode
      const index = stackIndex[depth - 1] as number
      if (index < 0) {
        if (c !== quote) throw invalidJson(i - from)
        const key = i
        const keyEnd = stringEnd(src, i, to, escapes)
        if (keyEnd < 0) throw invalidJson(i - from)
        i = skipSpace(src, keyEnd, to)
        if (byteAt(src, i, to) !== colon) throw invalidJson(i - from)
        i = skipSpace(src, i + 1, to)
        c = byteAt(src, i, to)
        node = member(parent, src, key, keyEnd, escapes, from)
      } else {
        node = element(parent, index)
      }
      leaf = node.leaf ?? stackLeaf[depth - 1]
    }
  }

  // The string function: the document is scanned as UTF-8, and the rewritten document
  // is built from slices of the string between leaves, and leaf texts.
  let doc = ''
  let scratch = Buffer.allocUnsafe(keptScratch)
  let ascii = true
  // Byte offsets become character offsets by counting forward from the last one asked.
  let mappedByte = 0
  let mappedChar = 0
  const charOf = (byte: number): number => {
    if (ascii) return byte
    if (byte < mappedByte) mappedByte = mappedChar = 0
    for (; mappedByte < byte; mappedByte++) {
      const b = scratch[mappedByte] as number
      // A lead byte starts a character; four bytes make two UTF-16 units.
      if ((b & 0xc0) !== 0x80) mappedChar += b >= 0xf0 ? 2 : 1
    }
    return mappedChar
  }
  const span = (start: number, end: number): string => doc.slice(charOf(start), charOf(end))
  let out = ''
  let last = 0
  const intoString: LeafSink = {
    string(leaf, src, i, end, escapes) {
      const before = span(last, i)
      const value =
        escapes && hasBackslash(src, i + 1, end - 1)
          ? decodeEscaped(src, i, end, 0)
          : span(i + 1, end - 1)
      out += before + leaf.string(value)
      last = end
    },
    number(leaf, _src, i, end) {
      const before = span(last, i)
      out += before + leaf.number(span(i, end))
      last = end
    },
  }
  const rewrite = (value: string): string => {
    const escapes = value.includes('\\')
    if (unreachable(value, escapes)) return value
    doc = value
    // Into a buffer kept for the next document, unless a huge one needed it larger.
    // A lone surrogate is encoded as U+FFFD, three bytes: still one character. At most
    // 3 bytes a character; a document that might not fit is measured, not given 3×.
    if (scratch.length < value.length * 3) {
      const need = Buffer.byteLength(value, 'utf8')
      if (scratch.length < need) scratch = Buffer.allocUnsafe(need)
    }
    const length = scratch.write(value, 0, 'utf8')
    ascii = length === value.length
    mappedByte = mappedChar = 0
    out = ''
    last = 0
    try {
      scan(scratch, 0, length, escapes, intoString)
      return last === 0 ? value : out + span(last, length)
    } catch (err) {
      // Positions count characters, not bytes.
      const at = (err as { at?: unknown }).at
      if (!ascii && typeof at === 'number') throw invalidJson(charOf(at))
      throw err
    } finally {
      out = doc = ''
      if (scratch.length > keptScratch) scratch = Buffer.allocUnsafe(keptScratch)
    }
  }

  // The fast path: the document's own bytes are copied between leaves (UTF-8 without a
  // backslash needs no COPY escape), and leaves with a fast path write their fakes.
  let at = 0
  let sink: ByteSink = null as unknown as ByteSink
  const intoBytes: LeafSink = {
    string(leaf, src, i, end) {
      sink.writeBytes(src, at, i)
      // A leaf with other than ASCII holds UTF-8 sequences: decoded for the string function.
      if (!isAscii(src, i + 1, end - 1)) {
        writeCopyJson(sink, leaf.string(src.toString('utf8', i + 1, end - 1)))
      } else if (!leaf.bytes?.(src, i + 1, end - 1, sink)) {
        writeCopyJson(sink, leaf.string(src.toString('latin1', i + 1, end - 1)))
      }
      at = end
    },
    number(leaf, src, i, end) {
      sink.writeBytes(src, at, i)
      writeCopyJson(sink, leaf.number(src.toString('latin1', i, end)))
      at = end
    },
  }
  // Documents with other than ASCII take the fast path when every key the rules name
  // is ASCII: the check for documents no rule reaches compares the keys with the
  // document's latin1 text. Their leaves with other than ASCII take the string function.
  const asciiKeys = rules.every((r) =>
    r.steps.every((s) => typeof s.select !== 'string' || !/[^\0-\x7f]/.test(s.select)),
  )
  const bytes = (buf: Buffer, start: number, end: number, to: ByteSink, text?: string): void => {
    // Latin1: character i is byte i (of the segment `text` decodes, or of the document).
    if (
      !canSkip ||
      !unreachable(text ? text.slice(start, end) : buf.toString('latin1', start, end), false)
    ) {
      at = start
      sink = to
      try {
        scan(buf, start, end, false, intoBytes)
      } catch (err) {
        // The string function's own error: its positions count the document's characters.
        rewrite(buf.toString('utf8', start, end))
        throw err
      } finally {
        sink = null as unknown as ByteSink
      }
      start = at
    }
    to.writeBytes(buf, start, end)
  }
  return Object.assign(rewrite, { bytes: Object.assign(bytes, { utf8: asciiKeys }) })
}

/**
 * JSON text as COPY text. A leaf's JSON text holds no raw control character (they are
 * \u- or short-escaped), so a backslash is the only character COPY escapes in it.
 */
function writeCopyJson(out: ByteSink, text: string): void {
  out.writeString(text.includes('\\') ? text.replaceAll('\\', '\\\\') : text)
}

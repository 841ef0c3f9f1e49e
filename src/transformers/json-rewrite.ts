import { createPathAutomaton, type PathNode } from './json-automaton.js'
import type { PathStep } from './json-path.js'
import {
  containerEnd,
  invalidJson,
  literalEnd,
  numberEnd,
  skipSpace,
  stringEnd,
} from './json-scan.js'
import { decodeJsonString } from './json-string.js'
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

/** Where the scanner hands the leaves at matched paths, `doc[i, end)`. */
interface LeafSink {
  string(leaf: LeafRewrite, doc: string, i: number, end: number, escapes: boolean): void
  number(leaf: LeafRewrite, doc: string, i: number, end: number): void
}

export interface JsonPathRule {
  steps: PathStep[]
  leaf: LeafRewrite
}

const [quote, comma, colon, minus] = [34, 44, 58, 45]
const [openBrace, closeBrace, openBracket, closeBracket] = [123, 125, 91, 93]
/** Keys that appear literally in any JSON that holds them unless \u-escaped. */
const plainKey = /^[^"\\/\p{Cc}]+$/u
/** Stack slots kept between documents; a deeper document's are let go after it. */
const keptDepth = 1024

/**
 * A single-pass rewriter: string and number leaves at (or under) a matched path are
 * replaced; every other byte of the document is kept, so key order, whitespace,
 * duplicate keys and numbers beyond double precision survive. Subtrees no path can
 * reach are skipped without decoding. A document without a backslash has no escapes:
 * its keys are compared in place and its string leaves are plain slices.
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
  /** The same for `doc[from, to)`, a document without a backslash. */
  const unreachableIn = (doc: string, from: number, to: number): boolean =>
    canSkip && unreachable(from === 0 && to === doc.length ? doc : doc.slice(from, to), false)

  /**
   * Walks the document `doc[from, to)`, handing `sink` each leaf at a matched path, in
   * order. Positions are indexes into `doc`; an error's is the document's own only when
   * `from` is 0.
   */
  const scan = (doc: string, from: number, to: number, escapes: boolean, sink: LeafSink): void => {
    if (stackNode.length > keptDepth) stackNode.length = stackLeaf.length = stackIndex.length = 0
    let depth = 0
    let node = root
    let leaf = root.leaf
    let i = skipSpace(doc, from, to)
    // The character at i, read once: whitespace is looked for only where one may be.
    let c = doc.charCodeAt(i)
    for (;;) {
      // A value starts at i; `entering` is set when the next member of a container is due.
      let entering = false
      if (i >= to) throw invalidJson(i)
      if (c === quote) {
        const end = stringEnd(doc, i, to, escapes)
        if (end < 0) throw invalidJson(i)
        if (leaf) sink.string(leaf, doc, i, end, escapes)
        i = end
      } else if (c === openBrace || c === openBracket) {
        if (node.dead && !leaf) {
          i = containerEnd(doc, i, to, escapes)
        } else {
          const array = c === openBracket
          i = skipSpace(doc, i + 1, to)
          c = doc.charCodeAt(i)
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
        const end = numberEnd(doc, i, to)
        if (leaf) sink.number(leaf, doc, i, end)
        i = end
      } else {
        i = literalEnd(doc, i, to)
      }
      // After a value: close finished containers, or step to the next member.
      while (!entering) {
        c = doc.charCodeAt(i)
        if (c <= 32) {
          i = skipSpace(doc, i, to)
          c = doc.charCodeAt(i)
        }
        if (depth === 0) {
          if (i !== to) throw invalidJson(i)
          return
        }
        const index = stackIndex[depth - 1] as number
        if (c === comma) {
          if (index >= 0) stackIndex[depth - 1] = index + 1
          i++
          c = doc.charCodeAt(i)
          if (c <= 32) {
            i = skipSpace(doc, i, to)
            c = doc.charCodeAt(i)
          }
          entering = true
        } else if (c === (index >= 0 ? closeBracket : closeBrace)) {
          depth--
          i++
        } else {
          throw invalidJson(i)
        }
      }
      // Into the member: read its key (objects), then work out which paths reach it.
      const parent = stackNode[depth - 1] as PathNode
      const index = stackIndex[depth - 1] as number
      if (index < 0) {
        if (c !== quote) throw invalidJson(i)
        const key = i
        const keyEnd = stringEnd(doc, i, to, escapes)
        if (keyEnd < 0) throw invalidJson(i)
        i = keyEnd
        c = doc.charCodeAt(i)
        if (c <= 32) {
          i = skipSpace(doc, i, to)
          c = doc.charCodeAt(i)
        }
        if (c !== colon) throw invalidJson(i)
        i++
        c = doc.charCodeAt(i)
        if (c <= 32) {
          i = skipSpace(doc, i, to)
          c = doc.charCodeAt(i)
        }
        node = member(parent, doc, key, keyEnd, escapes)
      } else {
        node = element(parent, index)
      }
      leaf = node.leaf ?? stackLeaf[depth - 1]
    }
  }

  // The string function: the rewritten document is built from slices and leaf texts.
  let out = ''
  let last = 0
  const intoString: LeafSink = {
    string(leaf, doc, i, end, escapes) {
      const value = escapes ? decodeJsonString(doc, i, end) : doc.slice(i + 1, end - 1)
      out += doc.slice(last, i) + leaf.string(value)
      last = end
    },
    number(leaf, doc, i, end) {
      out += doc.slice(last, i) + leaf.number(doc.slice(i, end))
      last = end
    },
  }
  const rewrite = (doc: string): string => {
    const escapes = doc.includes('\\')
    if (unreachable(doc, escapes)) return doc
    out = ''
    last = 0
    try {
      scan(doc, 0, doc.length, escapes, intoString)
      return last === 0 ? doc : out + doc.slice(last)
    } finally {
      out = ''
    }
  }

  // The fast path: the document's own bytes are copied between leaves (ASCII without a
  // backslash needs no COPY escape), and leaves with a fast path write their fakes.
  let src: Buffer = Buffer.alloc(0)
  let base = 0
  let at = 0
  let sink: ByteSink = null as unknown as ByteSink
  const intoBytes: LeafSink = {
    string(leaf, doc, i, end) {
      sink.writeBytes(src, base + at, base + i)
      // A leaf with other than ASCII holds UTF-8 sequences: decoded for the string function.
      if (!isAscii(doc, i + 1, end - 1)) {
        writeCopyJson(sink, leaf.string(src.toString('utf8', base + i + 1, base + end - 1)))
      } else if (!leaf.bytes?.(src, base + i + 1, base + end - 1, sink)) {
        writeCopyJson(sink, leaf.string(doc.slice(i + 1, end - 1)))
      }
      at = end
    },
    number(leaf, doc, i, end) {
      sink.writeBytes(src, base + at, base + i)
      writeCopyJson(sink, leaf.number(doc.slice(i, end)))
      at = end
    },
  }
  // Offsets in the latin1 decoding of UTF-8 bytes are byte offsets, and a multi-byte
  // character never looks like JSON's structure, so documents with other than ASCII are
  // scanned as bytes too, when every key the rules name is ASCII (a key is compared as
  // it appears). Their leaves with other than ASCII take the string function.
  const asciiKeys = rules.every((r) =>
    r.steps.every((s) => typeof s.select !== 'string' || !/[^\0-\x7f]/.test(s.select)),
  )
  const bytes = (buf: Buffer, start: number, end: number, to: ByteSink, text?: string): void => {
    // Latin1: character i is byte i (of the segment `text` decodes, or of the document
    // decoded here), so the scan's offsets serve both.
    const doc = text ?? buf.toString('latin1', start, end)
    const from = text === undefined ? 0 : start
    const docEnd = from + end - start
    if (!unreachableIn(doc, from, docEnd)) {
      src = buf
      base = start - from
      at = from
      sink = to
      try {
        scan(doc, from, docEnd, false, intoBytes)
      } catch (err) {
        // The string function's own error: its positions count the document's characters.
        rewrite(buf.toString('utf8', start, end))
        throw err
      } finally {
        sink = null as unknown as ByteSink
        src = Buffer.alloc(0)
      }
      start = base + at
    }
    to.writeBytes(buf, start, end)
  }
  return Object.assign(rewrite, { bytes: Object.assign(bytes, { utf8: asciiKeys }) })
}

/** `s[start, end)` is all ASCII (a loop: leaves are short, and a RegExp allocates a slice). */
function isAscii(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (s.charCodeAt(i) >= 0x80) return false
  return true
}

/**
 * JSON text as COPY text. A leaf's JSON text holds no raw control character (they are
 * \u- or short-escaped), so a backslash is the only character COPY escapes in it.
 */
function writeCopyJson(out: ByteSink, text: string): void {
  out.writeString(text.includes('\\') ? text.replaceAll('\\', '\\\\') : text)
}

import { createPathAutomaton, type PathNode } from './json-automaton.js'
import type { PathStep } from './json-path.js'
import { containerEnd, invalidJson, literalEnd, numberEnd, skipSpace } from './json-scan.js'
import { decodeJsonString, jsonStringEnd } from './json-string.js'

/** What replaces a leaf at a matched path, as JSON text. */
export interface LeafRewrite {
  /** Given a string leaf's decoded value. */
  string(value: string): string
  /** Given a number leaf's JSON text. */
  number(text: string): string
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
export function createJsonRewriter(rules: readonly JsonPathRule[]): (doc: string) => string {
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

  return (doc) => {
    const escapes = doc.includes('\\')
    if (
      canSkip &&
      (!escapes || !doc.includes('\\u')) &&
      needles.every((n) => n.some((k) => !doc.includes(k)))
    ) {
      return doc
    }
    if (stackNode.length > keptDepth) stackNode.length = stackLeaf.length = stackIndex.length = 0
    let out = ''
    let last = 0
    let depth = 0
    let node = root
    let leaf = root.leaf
    let i = skipSpace(doc, 0)
    // The character at i, read once: whitespace is looked for only where one may be.
    let c = doc.charCodeAt(i)
    for (;;) {
      // A value starts at i; `entering` is set when the next member of a container is due.
      let entering = false
      if (c === quote) {
        // Without a backslash in the document, the next quote ends the string.
        const end = escapes ? jsonStringEnd(doc, i) : doc.indexOf('"', i + 1) + 1
        if (end <= 0) throw invalidJson(i)
        if (leaf) {
          const value = escapes ? decodeJsonString(doc, i, end) : doc.slice(i + 1, end - 1)
          out += doc.slice(last, i) + leaf.string(value)
          last = end
        }
        i = end
      } else if (c === openBrace || c === openBracket) {
        if (node.dead && !leaf) {
          i = containerEnd(doc, i)
        } else {
          const array = c === openBracket
          i = skipSpace(doc, i + 1)
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
        const end = numberEnd(doc, i)
        if (leaf) {
          out += doc.slice(last, i) + leaf.number(doc.slice(i, end))
          last = end
        }
        i = end
      } else {
        i = literalEnd(doc, i)
      }
      // After a value: close finished containers, or step to the next member.
      while (!entering) {
        c = doc.charCodeAt(i)
        if (c <= 32) {
          i = skipSpace(doc, i)
          c = doc.charCodeAt(i)
        }
        if (depth === 0) {
          if (i !== doc.length) throw invalidJson(i)
          return last === 0 ? doc : out + doc.slice(last)
        }
        const index = stackIndex[depth - 1] as number
        if (c === comma) {
          if (index >= 0) stackIndex[depth - 1] = index + 1
          i++
          c = doc.charCodeAt(i)
          if (c <= 32) {
            i = skipSpace(doc, i)
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
        const keyEnd = escapes ? jsonStringEnd(doc, i) : doc.indexOf('"', i + 1) + 1
        if (keyEnd <= 0) throw invalidJson(i)
        i = keyEnd
        c = doc.charCodeAt(i)
        if (c <= 32) {
          i = skipSpace(doc, i)
          c = doc.charCodeAt(i)
        }
        if (c !== colon) throw invalidJson(i)
        i++
        c = doc.charCodeAt(i)
        if (c <= 32) {
          i = skipSpace(doc, i)
          c = doc.charCodeAt(i)
        }
        node = member(parent, doc, key, keyEnd, escapes)
      } else {
        node = element(parent, index)
      }
      leaf = node.leaf ?? stackLeaf[depth - 1]
    }
  }
}

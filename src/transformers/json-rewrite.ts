import type { PathStep } from './json-path.js'
import { containerEnd, invalidJson, literalEnd, numberEnd, skipSpace } from './json-scan.js'
import { decodeJsonString, jsonStringEnd } from './json-string.js'
import { ownString } from './own-string.js'

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

/** A path step prepared for matching keys in place, without decoding them. */
interface Step {
  descend: boolean
  select: string | number | null
  /** The key reads the same raw in a document as decoded (no `"`, `\`, control chars). */
  plain: boolean
}

interface Frame {
  array: boolean
  index: number
  states: number[]
  leaf: LeafRewrite | undefined
}

const none: number[] = []
/** Bound on the cached state sets and transitions of one rewriter: documents with endless distinct keys must not grow memory. */
const maxCached = 4096
const [quote, comma, colon, minus, backslash] = [34, 44, 58, 45, 92]
const [openBrace, closeBrace, openBracket, closeBracket] = [123, 125, 91, 93]
/** Keys that appear literally in any JSON that holds them unless \u-escaped. */
const plainKey = /^[^"\\/\p{Cc}]+$/u

/**
 * A single-pass rewriter: string and number leaves at (or under) a matched path are
 * replaced; every other byte of the document is kept, so key order, whitespace,
 * duplicate keys and numbers beyond double precision survive. Matching runs the
 * paths as small automata: a state is `rule << 8 | step`. Where several rules match
 * a leaf, the deepest match wins, then the rule listed first. Subtrees no path can
 * reach are skipped without decoding.
 */
export function createJsonRewriter(rules: readonly JsonPathRule[]): (doc: string) => string {
  const paths: Step[][] = rules.map((rule) =>
    rule.steps.map((s) => ({
      ...s,
      plain: typeof s.select === 'string' && plainKey.test(s.select),
    })),
  )
  // State sets are interned, so a set can key the caches below by identity.
  const interned = new Map<string, number[]>([['', none]])
  const intern = (states: number[]): number[] => {
    const id = states.join(',')
    let known = interned.get(id)
    if (!known) {
      known = states
      if (interned.size < maxCached) interned.set(id, known)
    }
    return known
  }
  // The same keys recur in every document of a column: remember where each key
  // leads from each state set, and which rule's leaf a state set ends in.
  const byKey = new Map<number[], Map<string, number[]>>()
  const leaves = new Map<number[], LeafRewrite | undefined>()
  let cached = 0
  const enter = (states: number[], doc: string, key: number, keyEnd: number, index: number) => {
    if (key < 0) return intern(advance(paths, states, doc, key, keyEnd, index))
    let next = byKey.get(states)
    const raw = doc.slice(key, keyEnd)
    let to = next?.get(raw)
    if (to === undefined) {
      to = intern(advance(paths, states, doc, key, keyEnd, index))
      if (cached < maxCached && interned.get(states.join(',')) === states) {
        if (!next) {
          next = new Map()
          byKey.set(states, next)
        }
        // An own copy: the document may be a slice of a whole batch of rows.
        next.set(ownString(raw), to)
        cached++
      }
    }
    return to
  }
  const leafOf = (states: number[]): LeafRewrite | undefined => {
    if (leaves.has(states)) return leaves.get(states)
    const leaf = matched(rules, states)
    if (leaves.size < maxCached) leaves.set(states, leaf)
    return leaf
  }

  const initial = intern(rules.map((_, r) => r << 8))
  const rootLeaf = matched(rules, initial)
  // Each rule's literal keys, quoted as they appear in a document: a document missing one
  // key of every rule cannot match, and is returned without being scanned.
  const needles = paths.map((steps) => steps.flatMap((s) => (s.plain ? [`"${s.select}"`] : [])))
  const canSkip = needles.every((n) => n.length > 0)

  return (doc) => {
    if (canSkip && !doc.includes('\\u') && needles.every((n) => n.some((k) => !doc.includes(k)))) {
      return doc
    }
    // No closures over these: the hot loop keeps them in registers.
    let out = ''
    let last = 0
    const stack: Frame[] = []
    let states = initial
    let leaf = rootLeaf
    let i = skipSpace(doc, 0)
    for (;;) {
      // A value starts at i; `entered` is set when the next member of a container is due.
      let entered: Frame | undefined
      const c = doc.charCodeAt(i)
      if (c === quote) {
        const end = jsonStringEnd(doc, i)
        if (end < 0) throw invalidJson(i)
        if (leaf) {
          out += doc.slice(last, i) + leaf.string(decodeJsonString(doc, i, end))
          last = end
        }
        i = end
      } else if (c === openBrace || c === openBracket) {
        if (states.length === 0 && !leaf) {
          i = containerEnd(doc, i)
        } else {
          const frame: Frame = { array: c === openBracket, index: 0, states, leaf }
          i = skipSpace(doc, i + 1)
          if (doc.charCodeAt(i) === (frame.array ? closeBracket : closeBrace)) {
            i++
          } else {
            stack.push(frame)
            entered = frame
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
      while (!entered) {
        i = skipSpace(doc, i)
        const frame = stack[stack.length - 1]
        if (!frame) {
          if (i !== doc.length) throw invalidJson(i)
          return last === 0 ? doc : out + doc.slice(last)
        }
        const next = doc.charCodeAt(i)
        if (next === comma) {
          frame.index++
          i = skipSpace(doc, i + 1)
          entered = frame
        } else if (next === (frame.array ? closeBracket : closeBrace)) {
          stack.pop()
          i++
        } else {
          throw invalidJson(i)
        }
      }
      // Into the member: read its key (objects), then work out which paths reach it.
      let key = -1
      let keyEnd = -1
      if (!entered.array) {
        if (doc.charCodeAt(i) !== quote) throw invalidJson(i)
        key = i
        keyEnd = jsonStringEnd(doc, i)
        if (keyEnd < 0) throw invalidJson(i)
        i = skipSpace(doc, keyEnd)
        if (doc.charCodeAt(i) !== colon) throw invalidJson(i)
        i = skipSpace(doc, i + 1)
      }
      states =
        entered.states.length > 0 ? enter(entered.states, doc, key, keyEnd, entered.index) : none
      leaf = leafOf(states) ?? entered.leaf
    }
  }
}

/**
 * The states after stepping into a child: the member whose key literal is
 * `doc[key, keyEnd)`, or (key < 0) the array element at `index`.
 */
function advance(
  paths: Step[][],
  states: number[],
  doc: string,
  key: number,
  keyEnd: number,
  index: number,
): number[] {
  let next = none
  for (const s of states) {
    const step = paths[s >> 8]?.[s & 255]
    if (!step) continue
    const select = step.select
    const hit =
      select === null ||
      (key < 0
        ? select === index
        : typeof select === 'string' && keyIs(doc, key, keyEnd, select, step.plain))
    if (!hit && !step.descend) continue
    if (next === none) next = []
    if (step.descend && !next.includes(s)) next.push(s)
    if (hit && !next.includes(s + 1)) next.push(s + 1)
  }
  return next
}

/** Whether the key literal `doc[start, end)` means `name`; decodes only keys with escapes. */
function keyIs(doc: string, start: number, end: number, name: string, plain: boolean): boolean {
  const length = end - start - 2
  if (plain && length === name.length && doc.startsWith(name, start + 1)) return true
  // Without escapes the raw key is the key, and it did not match above. Look only
  // inside the key: an unbounded indexOf would scan the rest of the document.
  for (let j = start + 1; j < end - 1; j++) {
    if (doc.charCodeAt(j) === backslash) return decodeJsonString(doc, start, end) === name
  }
  return false
}

/** The leaf rewrite of the first rule whose path ends here. */
function matched(rules: readonly JsonPathRule[], states: number[]): LeafRewrite | undefined {
  let best: JsonPathRule | undefined
  let bestIndex = Number.POSITIVE_INFINITY
  for (const s of states) {
    const r = s >> 8
    const rule = rules[r]
    if (rule && (s & 255) === rule.steps.length && r < bestIndex) {
      best = rule
      bestIndex = r
    }
  }
  return best?.leaf
}

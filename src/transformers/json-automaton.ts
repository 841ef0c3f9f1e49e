import type { JsonPathRule, LeafRewrite } from './json-rewrite.js'
import { decodeEscaped, hasBackslash } from './json-scan.js'

/**
 * Where a document's matching stands at one value: the set of path states that
 * reach it, and where each key or index leads from here. A state is
 * `rule << 8 | step`. Every key the states do not name (a wildcard or `..` may
 * still take it) shares one transition, so the transitions depend on the rules
 * only, never on how many distinct keys the documents hold.
 */
export interface PathNode {
  states: readonly number[]
  /** The leaf rewrite of the first rule whose path ends here. */
  leaf: LeafRewrite | undefined
  /** No path reaches this value or anything under it. */
  dead: boolean
  /** The distinct keys the states select by name. */
  keys: readonly string[]
  /**
   * keys[k] in UTF-8 when it has no `"`, `\` or control character (a key spelled
   * without escapes equals it only so written), else null.
   */
  rawKeys: readonly (Uint8Array | null)[]
  /** The distinct array indexes the states select. */
  indexes: readonly number[]
  /**
   * Where each of `keys` (then any other key) and each of `indexes` (then any other
   * index) leads; filled in on first use, for nodes kept in the automaton's bounded cache.
   */
  byKey: (PathNode | undefined)[]
  byIndex: (PathNode | undefined)[]
  cached: boolean
}

/** The steps of a path, prepared for matching. */
interface Step {
  descend: boolean
  select: string | number | null
}

/**
 * A key JSON can hold unescaped: no quote, no backslash, no character below U+0020
 * (DEL and U+0080–U+009F may appear raw, and must match so written).
 */
const isRawKey = (key: string): boolean => {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    if (c < 0x20 || c === 0x22 || c === 0x5c) return false
  }
  return true
}

/** The UTF-8 bytes a key is spelled with when it needs no escape (and has no lone surrogate), else null. */
const rawKeyBytes = (key: string): Uint8Array | null => {
  if (!isRawKey(key)) return null
  const bytes = Buffer.from(key, 'utf8')
  return bytes.toString('utf8') === key ? bytes : null
}

/** The path automaton of a rewriter: the start node, and the steps from a node into a member. */
export interface PathAutomaton {
  root: PathNode
  /**
   * The node of the object member whose key literal is `src[key, keyEnd)`, in UTF-8
   * (`escapes`: the document may hold backslashes; `from`: where it starts, for errors).
   */
  member(
    node: PathNode,
    src: Buffer,
    key: number,
    keyEnd: number,
    escapes: boolean,
    from: number,
  ): PathNode
  /** The node of the array element at `index`. */
  element(node: PathNode, index: number): PathNode
}

/**
 * Matching runs the paths as small automata whose state sets are interned (so a
 * set is made once) and whose transitions are remembered on the node. Where
 * several rules match a leaf, the deepest match wins, then the rule listed first
 * (a deeper match ends a step later, so its node names it; see `leafOf`).
 */
export function createPathAutomaton(
  rules: readonly JsonPathRule[],
  /** Bound on the nodes kept: memory stays flat whatever the rules; past it nodes are made anew. */
  maxCached = 4096,
): PathAutomaton {
  const paths: Step[][] = rules.map((rule) => rule.steps)
  const interned = new Map<string, PathNode>()

  const nodeOf = (states: number[]): PathNode => {
    const id = states.join(',')
    const known = interned.get(id)
    if (known) return known
    const keys: string[] = []
    const indexes: number[] = []
    for (const s of states) {
      const select = paths[s >> 8]?.[s & 255]?.select
      if (typeof select === 'string' && !keys.includes(select)) keys.push(select)
      if (typeof select === 'number' && !indexes.includes(select)) indexes.push(select)
    }
    const node: PathNode = {
      states,
      leaf: leafOf(rules, states),
      dead: states.length === 0,
      keys,
      rawKeys: keys.map(rawKeyBytes),
      indexes,
      byKey: [],
      byIndex: [],
      cached: interned.size < maxCached,
    }
    if (node.cached) interned.set(id, node)
    return node
  }

  /**
   * The node after a step into a child whose key or index is `select` (undefined: one
   * no state names), remembered in `table[slot]` when the node is cached.
   */
  const follow = (
    node: PathNode,
    table: (PathNode | undefined)[],
    slot: number,
    select: string | number | undefined,
  ): PathNode => {
    const known = table[slot]
    if (known) return known
    const next: number[] = []
    for (const s of node.states) {
      const st = paths[s >> 8]?.[s & 255]
      if (!st) continue
      const hit = st.select === null || st.select === select
      if (st.descend && !next.includes(s)) next.push(s)
      if (hit && !next.includes(s + 1)) next.push(s + 1)
    }
    const to = nodeOf(next)
    if (node.cached) table[slot] = to
    return to
  }

  const member: PathAutomaton['member'] = (node, src, key, keyEnd, escapes, from) => {
    if (node.dead) return node
    const keys = node.keys
    let k = -1
    if (keys.length > 0) {
      if (escapes && hasBackslash(src, key + 1, keyEnd - 1)) {
        k = keys.indexOf(decodeEscaped(src, key, keyEnd, from))
      } else {
        const length = keyEnd - key - 2
        for (let j = 0; j < keys.length; j++) {
          const name = node.rawKeys[j]
          if (name && name.length === length && sameBytes(src, key + 1, name)) {
            k = j
            break
          }
        }
      }
    }
    // The last slot is for every key the states do not name.
    return k < 0
      ? follow(node, node.byKey, keys.length, undefined)
      : follow(node, node.byKey, k, keys[k])
  }

  const element = (node: PathNode, index: number): PathNode => {
    if (node.dead) return node
    const k = node.indexes.indexOf(index)
    return k < 0
      ? follow(node, node.byIndex, node.indexes.length, undefined)
      : follow(node, node.byIndex, k, index)
  }

  return { root: nodeOf(rules.map((_, r) => r << 8)), member, element }
}

/** Whether `src` holds `name` at `at`; keys are short, and a loop is cheaper than a call. */
function sameBytes(src: Uint8Array, at: number, name: Uint8Array): boolean {
  for (let n = 0; n < name.length; n++) {
    if (src[at + n] !== name[n]) return false
  }
  return true
}

/** The leaf rewrite of the first rule whose path ends in these states. */
function leafOf(
  rules: readonly JsonPathRule[],
  states: readonly number[],
): LeafRewrite | undefined {
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

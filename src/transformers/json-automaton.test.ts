import { describe, expect, it } from 'vitest'
import { createPathAutomaton, type PathNode } from './json-automaton.js'
import { parseJsonPath } from './json-path.js'
import type { LeafRewrite } from './json-rewrite.js'

const leaf = (tag: string): LeafRewrite => ({ string: () => tag, number: () => tag })
const rules = ['$..a.b', '$.a[*].b', '$.a[1]', '$..*.c', "$['a\"b'].b"].map((path) => ({
  steps: parseJsonPath(path),
  leaf: leaf(path),
}))

/** The states reached by following `keys` (strings: object keys, numbers: array indexes). */
const walk = (maxCached: number, keys: (string | number)[]) => {
  const { root, member, element } = createPathAutomaton(rules, maxCached)
  let node: PathNode = root
  for (const k of keys) {
    const doc = Buffer.from(JSON.stringify(String(k)))
    node = typeof k === 'number' ? element(node, k) : member(node, doc, 0, doc.length, true, 0)
  }
  return { states: node.states, leaf: node.leaf }
}

describe('createPathAutomaton', () => {
  it('reaches the same states and leaves past its cache bound as within it', () => {
    const routes: (string | number)[][] = [
      ['a', 'b'],
      ['a', 1],
      ['a', 0, 'b'],
      ['x', 'a', 'b'],
      ['x', 'y', 'c'],
      ['a"b', 'b'],
      ['a', 'a', 'a', 'b'],
      ['z', 3, 'c'],
    ]
    for (const route of routes) {
      const cached = walk(4096, route)
      for (const bound of [0, 1, 3]) expect(walk(bound, route)).toEqual(cached)
    }
    expect(walk(4096, ['a', 1]).leaf).toEqual(rules[2]?.leaf)
    expect(walk(0, ['x', 'a', 'b']).leaf).toEqual(rules[0]?.leaf)
  })

  it('sends every key the states do not name along one transition', () => {
    const { root, member } = createPathAutomaton(rules)
    const doc = Buffer.from('"p" "q"')
    expect(member(root, doc, 0, 3, false, 0)).toBe(member(root, doc, 4, 7, false, 0))
  })

  it('compares keys as UTF-8 bytes, decoding escaped ones', () => {
    const named = [{ steps: parseJsonPath("$['é'].b"), leaf: leaf('é') }]
    const { root, member } = createPathAutomaton(named)
    const doc = Buffer.from('"é" "\\u00e9" "e" "éé"')
    const named0 = member(root, doc, 0, 4, false, 0)
    const other = member(root, doc, 14, 17, false, 0)
    expect(named0).not.toBe(other)
    expect(named0.states).not.toEqual([])
    expect(member(root, doc, 5, 13, true, 0)).toBe(named0)
    expect(member(root, doc, 18, 24, false, 0)).toBe(other)
  })
})

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
    const doc = JSON.stringify(String(k))
    node = typeof k === 'number' ? element(node, k) : member(node, doc, 0, doc.length, false)
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
    const doc = '"p" "q"'
    expect(member(root, doc, 0, 3, false)).toBe(member(root, doc, 4, 7, false))
  })
})

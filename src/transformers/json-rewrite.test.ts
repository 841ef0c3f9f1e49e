import { describe, expect, it } from 'vitest'
import { parseJsonPath } from './json-path.js'
import { createJsonRewriter, type LeafRewrite } from './json-rewrite.js'

/** Writes `tag` for every leaf, so tests see which rule reached which leaf. */
const tagged = (tag: string): LeafRewrite => ({ string: () => `"${tag}"`, number: () => tag })
const rewriter = (paths: Record<string, string>) =>
  createJsonRewriter(
    Object.entries(paths).map(([path, tag]) => ({ steps: parseJsonPath(path), leaf: tagged(tag) })),
  )

describe('createJsonRewriter', () => {
  it('gives the same answers from its key cache as on first sight, past the cache bound too', () => {
    const fn = rewriter({ '$.user.email': 'E', '$..phone': 'P' })
    const doc = (i: number) =>
      `{"k${i}": {"email": "no"}, "user": {"k${i}": 1, "email": "a${i}@x.test", "phone": "1"}}`
    for (let i = 0; i < 6000; i++) {
      expect(fn(doc(i))).toBe(
        `{"k${i}": {"email": "no"}, "user": {"k${i}": 1, "email": "E", "phone": "P"}}`,
      )
    }
    expect(fn('{"user": {"em\\u0061il": "b@x.test"}}')).toBe('{"user": {"em\\u0061il": "E"}}')
  })

  it('matches recursive descent at every depth, including under a match', () => {
    const fn = rewriter({ '$..a': '1' })
    expect(fn('{"a": {"a": 5, "b": "x"}, "c": [{"a": "y"}]}')).toBe(
      '{"a": {"a": 1, "b": "1"}, "c": [{"a": "1"}]}',
    )
  })

  it('does not confuse object keys that look like indexes with array indexes', () => {
    expect(rewriter({ '$[0]': '9' })('{"0": 1}')).toBe('{"0": 1}')
    expect(rewriter({ "$['0']": '9' })('{"0": 1}')).toBe('{"0": 9}')
    expect(rewriter({ '$[0]': '9' })('[1, 2]')).toBe('[9, 2]')
  })

  it('matches keys written with escapes, and keys that need them', () => {
    expect(rewriter({ "$['a\"b']": 'x' })('{"a\\"b": "s", "ab": "t"}')).toBe(
      '{"a\\"b": "x", "ab": "t"}',
    )
    expect(rewriter({ '$.ab': 'x' })('{"a\\u0062": "s"}')).toBe('{"a\\u0062": "x"}')
  })

  it('returns the same string when nothing matched', () => {
    const doc = '{"a": {"b": [1, 2, {"c": "d"}]}}'
    expect(rewriter({ '$.a.x': 'y' })(doc)).toBe(doc)
  })
})

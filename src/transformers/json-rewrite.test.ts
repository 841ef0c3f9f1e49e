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

  it('compares keys in place when a document has no backslash, and decodes them when it has', () => {
    const fn = rewriter({ '$.user.email': 'E', "$['a\"b']": 'Q' })
    // No backslash anywhere: keys are compared raw, leaves are plain slices.
    expect(fn('{"user": {"emails": "x", "email": "y", "emai": "z"}}')).toBe(
      '{"user": {"emails": "x", "email": "E", "emai": "z"}}',
    )
    // A backslash elsewhere (in a value) does not stop plain keys from matching raw.
    expect(fn('{"note": "a\\b", "user": {"email": "y"}}')).toBe(
      '{"note": "a\\b", "user": {"email": "E"}}',
    )
    // Escaped keys are decoded; a key that needs an escape matches only through one.
    expect(fn('{"us\\u0065r": {"em\\u0061il": "y"}, "a\\"b": 1}')).toBe(
      '{"us\\u0065r": {"em\\u0061il": "E"}, "a\\"b": Q}',
    )
    expect(fn('{"user": {"email\\n": "y", "emai\\u006c": "z"}}')).toBe(
      '{"user": {"email\\n": "y", "emai\\u006c": "E"}}',
    )
  })

  it('follows array indexes and wildcards through the automaton, on every document alike', () => {
    const fn = rewriter({ '$.list[1]': 'I', '$.list[*].x': 'X', "$['']": 'N', "$['a/b']": 'S' })
    for (let round = 0; round < 3; round++) {
      expect(fn('{"list": [{"x": 1}, "s", {"y": 2}], "": "e", "a/b": 3}')).toBe(
        '{"list": [{"x": X}, "I", {"y": 2}], "": "N", "a/b": S}',
      )
    }
  })

  it('gives a decoding error that names the position only', () => {
    const fn = rewriter({ '$.a': 'A' })
    expect(() => fn('{"b": 1, "a": "sec\\xret"}')).toThrow(
      /^json: not valid JSON \(at character 15\)$/,
    )
  })

  it('counts error positions in characters, past multi-byte and four-byte characters', () => {
    const fn = rewriter({ '$.a': 'A' })
    // é is two bytes, 😀 four bytes and two UTF-16 units: positions count units, as before.
    expect(() => fn('{"é😀": 1, "a": x}')).toThrow(/^json: not valid JSON \(at character 17\)$/)
    expect(() => fn('{"b": "é", "a": "\\q"}')).toThrow(/\(at character 17\)$/)
    expect(() => fn('{"😀": "é", "a": "x"} ü')).toThrow(/\(at character 23\)$/)
    expect(() => fn('{"é": ["😀", {"a": 1}]')).toThrow(/\(at character 23\)$/)
    expect(() => fn('{"é": "\ud800", "a": "x" ,]')).toThrow(/\(at character 22\)$/)
  })

  it('keeps other than ASCII around and inside leaves as it was, lone surrogates too', () => {
    const fn = rewriter({ '$.a': 'A', '$.b[*]': 'B' })
    expect(fn('{"é": "😀", "a": "Zoë", "b": ["ü", 1, "東京"], "z": "\ud800x\udc00"}')).toBe(
      '{"é": "😀", "a": "A", "b": ["B", B, "B"], "z": "\ud800x\udc00"}',
    )
    const leaves: string[] = []
    const seen = createJsonRewriter([
      {
        steps: parseJsonPath('$..v'),
        leaf: {
          string: (v) => {
            leaves.push(v)
            return '"x"'
          },
          number: (n) => {
            leaves.push(n)
            return '0'
          },
        },
      },
    ])
    expect(seen('{"😀": {"v": "Zoë 😀"}, "v": -1.5e3, "w": [{"v": "a\\"b"}]}')).toBe(
      '{"😀": {"v": "x"}, "v": 0, "w": [{"v": "x"}]}',
    )
    expect(leaves).toEqual(['Zoë 😀', '-1.5e3', 'a"b'])
  })

  it('returns the same string when nothing matched', () => {
    const doc = '{"a": {"b": [1, 2, {"c": "d"}]}}'
    expect(rewriter({ '$.a.x': 'y' })(doc)).toBe(doc)
  })
})

import { describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'
import type { RuleSpec } from './transformer.js'

const hash16 = { transform: 'hash', length: 16 }
const h = compileFor(hash16)
/** The JSON text a hashed string leaf becomes. */
const hashed = (value: string) => JSON.stringify(h(value))
const rewrite = (paths: Record<string, RuleSpec>, key?: string) => {
  const fn = compileFor({ transform: 'json', paths }, columns.json, key)
  return (doc: string) => String(fn(doc))
}

const doc = `{
  "id": 12345678901234567890,
  "email": "alice@example.com",
  "customer": {"name": "Alice Smith",   "tier": "gold", "email": "al@example.com"},
  "contacts": [ {"email": "bob@example.com", "phone": "555"}, {"email": "carol@example.com"} ],
  "deep": {"x": [{"email": "dave@example.com"}]},
  "amount": 12.50, "active": true, "note": null,
  "email": "dup@example.com"
}`

/** `doc` with each JSON string literal in `values` replaced by its hash. */
const expectHashed = (values: string[]) =>
  values.reduce((d, v) => d.replaceAll(`"${v}"`, hashed(v)), doc)

describe('json', () => {
  it('rewrites a leaf whose key holds DEL or U+0080–U+009F, written raw or escaped', () => {
    // JSON needs escapes only below U+0020: these characters may stand in a key as they are.
    for (const name of ['a\x7fb', 'a\u0085b']) {
      const fn = rewrite({ [`$['${name}']`]: hash16 })
      const escaped = `{"${name.replace(/[\x7f-\x9f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}": "secret@example.com"}`
      for (const document of [`{"${name}": "secret@example.com"}`, escaped]) {
        expect(fn(document)).not.toContain('secret@example.com')
        expect(fn(document)).toContain(hashed('secret@example.com'))
      }
    }
  })

  it('replaces values at the listed paths and keeps every other byte', () => {
    const fn = rewrite({
      '$.email': hash16,
      '$.customer.name': hash16,
      '$.contacts[*].email': hash16,
    })
    expect(fn(doc)).toBe(
      expectHashed([
        'alice@example.com',
        'dup@example.com',
        'Alice Smith',
        'bob@example.com',
        'carol@example.com',
      ]),
    )
  })

  it('finds a key at any depth with $..key', () => {
    const out = rewrite({ '$..email': hash16 })(doc)
    expect(out).toBe(
      expectHashed([
        'alice@example.com',
        'dup@example.com',
        'al@example.com',
        'bob@example.com',
        'carol@example.com',
        'dave@example.com',
      ]),
    )
    expect(out).toContain('"id": 12345678901234567890,')
  })

  it('is deterministic and depends on the key', () => {
    const paths = { '$..email': 'hash' }
    expect(rewrite(paths)(doc)).toBe(rewrite(paths)(doc))
    expect(rewrite(paths, otherKey)(doc)).not.toBe(rewrite(paths)(doc))
  })

  it('reads strings with escapes correctly and writes valid JSON back', () => {
    const input = '{"name": "caf\\u00e9 \\"q\\" \\\\ \\n \\ud83d\\ude00", "em\\u0061il": "x@y.z"}'
    const out = rewrite({ '$.name': hash16, '$.email': { transform: 'const', value: 'a"b\\c\n' } })(
      input,
    )
    expect(JSON.parse(out)).toEqual({ name: h('café "q" \\ \n 😀'), email: 'a"b\\c\n' })
  })

  it('writes copy-safe fakes as plain JSON strings and escapes what other rules return', () => {
    const fakeEmail = compileFor('email')
    const fakeName = compileFor('fullName')
    const input = '{"a": "x@y.z", "b": "Ann Lee", "c": "k", "d": "keep \\"me\\" \\\\ \\n"}'
    const out = rewrite({
      '$.a': 'email',
      '$.b': 'fullName',
      '$.c': { transform: 'const', value: 'back\\slash\nline\u0001' },
      '$.d': 'keep',
    })(input)
    expect(out).toBe(
      `{"a": ${JSON.stringify(fakeEmail('x@y.z'))}, "b": ${JSON.stringify(fakeName('Ann Lee'))}, ` +
        '"c": "back\\\\slash\\nline\\u0001", "d": "keep \\"me\\" \\\\ \\n"}',
    )
  })

  it('writes numbers as numbers when the rule takes numbers, as strings otherwise', () => {
    const out = rewrite({ '$.amount': 'number', '$.id': hash16 })(doc)
    const amount = /"amount": (-?\d+\.\d\d),/.exec(out)?.[1]
    expect(Number(amount)).toBeGreaterThanOrEqual(11.25)
    expect(Number(amount)).toBeLessThanOrEqual(13.75)
    expect(out).toContain(`"id": ${hashed('12345678901234567890')},`)
  })

  it('gives a number-only rule numeric strings and nulls other strings', () => {
    const out = JSON.parse(rewrite({ '$.*': 'number' })('{"a": "1000", "b": "secret"}'))
    expect(out.a).toMatch(/^\d+$/)
    expect(out.b).toBeNull()
  })

  it('transforms every leaf under a matched object or array and leaves booleans and null', () => {
    const out = rewrite({
      '$.customer': hash16,
      '$.contacts[1]': hash16,
      '$.active': hash16,
      '$.note': hash16,
    })(doc)
    expect(out).toBe(expectHashed(['Alice Smith', 'gold', 'al@example.com', 'carol@example.com']))
  })

  it('writes null results as JSON null', () => {
    expect(rewrite({ '$.a': 'null' })('{"a": "x", "b": "y"}')).toBe('{"a": null, "b": "y"}')
  })

  it('lets the deepest matching path decide, then the first listed', () => {
    const out = rewrite({
      '$.customer': { transform: 'const', value: 'C' },
      '$..name': { transform: 'const', value: 'N' },
      '$.customer.tier': { transform: 'const', value: 'T1' },
      '$..tier': { transform: 'const', value: 'T2' },
    })(doc)
    expect(out).toContain('{"name": "N",   "tier": "T1", "email": "C"}')
  })

  it('supports $, wildcards, indexes and quoted keys', () => {
    const c = { transform: 'const', value: 'x' }
    // const also takes numeric leaves; "x" is not a JSON number, so it is written as a string.
    expect(rewrite({ $: c })('["a", 1, {"b": "c"}, true]')).toBe('["x", "x", {"b": "x"}, true]')
    expect(rewrite({ '$[*]': hash16 })('["a"]')).toBe(`[${hashed('a')}]`)
    expect(rewrite({ '$.list[1]': c })('{"list": ["a", "b", "c"]}')).toBe(
      '{"list": ["a", "x", "c"]}',
    )
    expect(rewrite({ "$['a b'].*": c })('{"a b": {"c": "d", "e": "f"}}')).toBe(
      '{"a b": {"c": "x", "e": "x"}}',
    )
    expect(rewrite({ $: c })('"top"')).toBe('"x"')
  })

  it('returns documents no path reaches unchanged', () => {
    const fn = rewrite({ '$..email': hash16, '$.a.b': hash16 })
    const input = '{"name":"n","list":[1,2,{"x":"y"}],"a":{"c":"d"}}'
    expect(fn(input)).toBe(input)
    expect(fn('{"a": {"b\\u0020": "kept"}}')).toBe('{"a": {"b\\u0020": "kept"}}')
  })

  it('survives deep nesting without running out of stack', () => {
    const deep = `${'['.repeat(100_000)}"x"${']'.repeat(100_000)}`
    expect(rewrite({ '$..*': { transform: 'const', value: 'y' } })(deep)).toBe(
      deep.replace('"x"', '"y"'),
    )
  })

  it('throws on invalid JSON without echoing its content', () => {
    const fn = rewrite({ '$..email': hash16, '$[0]': hash16 })
    for (const bad of [
      '{"email": "secret"',
      '{"email" "secret"}',
      '{"email": secret}',
      '',
      '[1] [2]',
    ]) {
      expect(() => fn(bad)).toThrow(/^json: not valid JSON \(at character \d+\)$/)
    }
  })

  it('rejects bad paths, unknown transformers and rules that fit no leaf', () => {
    expect(() => rewrite({ email: 'hash' })).toThrow(/invalid JSON path "email"/)
    expect(() => rewrite({ '$.email': 'shuffle' })).toThrow(
      /json path "\$\.email": unknown transformer "shuffle"/,
    )
    expect(() => rewrite({ '$.when': 'date' })).toThrow(/json path "\$\.when": date cannot produce/)
    expect(() => rewrite({ '$.x': { transform: 'number', ratio: 99 } })).toThrow(
      /as a number: bad options for number/,
    )
    expect(() => rewrite({})).toThrow(/at least one path/)
  })
})

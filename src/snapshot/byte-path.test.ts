import { describe, expect, it } from 'vitest'
import { transformerSamples } from '../bench/transformer-samples.js'
import {
  type ColumnInfo,
  type Compiled,
  createCompiler,
  type RuleSpec,
  type TransformerName,
  transformers,
} from '../transformers/index.js'
import { escapeCopyValue } from './copy-text.js'
import { OutBuffer } from './out-buffer.js'
import { createRowRewriter, type FieldTransform } from './row-rewriter.js'

/**
 * The fast path (bytes in, bytes out) must give exactly the string path's
 * output for every value: the same value gets the same fake in a column (fast
 * path), as a JSON leaf or an array element (string path), and in any table.
 */

const names = Object.keys(transformers) as TransformerName[]
const lorem = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit; sed do eiusmod 123-45'
/** ASCII values with no COPY escape: what the fast path is given. */
const plainEdges = [
  '',
  'a',
  'Z',
  '0',
  ' ',
  '12345',
  '90210-1234',
  'alice@example.com',
  '+1 (923) 555-0410',
  '2024-02-29 23:59:59+00',
  '2024-02-29',
  '1000-01-01',
  '9999-12-31 23:59:59.999999+00',
  '0999-06-30',
  '12345-01-01',
  '2000-01-01 BC',
  '0044-03-15 12:00:00 BC',
  'infinity',
  '-0.00',
  '0.01',
  '-12.34',
  '+7',
  '.5',
  '5.',
  '9999999999.99',
  '12345678901234.5',
  '123456789012345678',
  '1e3',
  '1.2.3',
  'NaN',
  '-Infinity',
  '-infinity',
  '10.0.0.1',
  '255.255.255.255',
  '0.0.0.0',
  '01.2.3.4',
  '1.2.3',
  '1.2.3.4.5',
  '256.1.1.1',
  '1..2.3',
  '1.2.3.4/24',
  '::1',
  'fe80::1/64',
  '1234',
  '0000000000',
  '0b7f1234-9a1c-4e2d-8f3a-0123456789ab',
  '123.45',
  "O'Brien & Sons, LLC",
  '$2b$10$abc',
  '{vip,b2b}',
  ...Array.from({ length: 60 }, (_, n) => lorem.repeat(8).slice(0, n)),
  ...[47, 48, 49, 63, 64, 65, 200, 447, 448, 449, 1000, 6000].map((n) =>
    lorem.repeat(80).slice(0, n),
  ),
]
/** Values the row rewriter must send down the string path. */
const otherEdges = [
  'Zoë Ångström',
  'Müller',
  '東京都',
  'emoji 😀 here',
  'tab\there',
  'new\nline',
  'back\\slash',
  'é'.repeat(500),
]
const isPlain = (v: string) => !/[^ -~]/.test(v) && !v.includes('\\')

/** Each transformer with a fast path, on its bench sample's column and on a short varchar. */
function compiledWithBytes() {
  const compile = createCompiler('byte-path-test-key')
  const out: {
    label: string
    column: ColumnInfo
    spec: RuleSpec
    name: TransformerName
    c: ReturnType<typeof compile>
  }[] = []
  for (const name of names) {
    const sample = transformerSamples[name]
    if (!sample) continue
    const columns = [sample.column]
    if (sample.column.kind === 'text') {
      // Short columns clip the fakes (and drop the name part of emails and usernames).
      for (const n of [12, 18, 30, 40]) {
        columns.push({ kind: 'text', type: `varchar(${n})`, maxLength: n })
      }
    }
    for (const column of columns) {
      let c: Compiled
      try {
        c = compile(sample.spec, column)
      } catch {
        continue // too short for this transformer
      }
      if (c.bytes)
        out.push({ label: `${name} on ${column.type}`, name, spec: sample.spec, column, c })
    }
  }
  return out
}

/** The string function takes the value without throwing. */
function accepts(fn: (value: string) => unknown, value: string): boolean {
  try {
    fn(value)
    return true
  } catch {
    return false
  }
}

const inputsOf = (name: TransformerName): string[] => {
  const sample = transformerSamples[name]
  const samples = sample ? Array.from({ length: 300 }, (_, i) => sample.input(i * 7919)) : []
  return [...samples, ...plainEdges, ...otherEdges]
}

describe('fast path', () => {
  it('exists for the hot flat transformers', () => {
    const withBytes = new Set(compiledWithBytes().map((c) => c.name))
    for (const name of [
      'email',
      'username',
      'firstName',
      'lastName',
      'fullName',
      'city',
      'text',
      'redact',
    ] as const) {
      expect(withBytes.has(name), name).toBe(true)
    }
  })

  it('writes what the string path returns, for every transformer that has one', () => {
    for (const { label, name, c } of compiledWithBytes()) {
      for (const value of inputsOf(name).filter(isPlain)) {
        const src = Buffer.from(`\t${value}\t`, 'latin1')
        const out = new OutBuffer(4)
        const what = `${label}: ${JSON.stringify(value)}`
        let expected: string | null
        try {
          expected = c.fn(value)
        } catch (err) {
          // A value the transformer refuses (a number column's "abc") is refused on both paths.
          expect(() => c.bytes?.(src, 1, 1 + value.length, out), what).toThrow(
            (err as Error).message,
          )
          continue
        }
        c.bytes?.(src, 1, 1 + value.length, out)
        const text = expected === null ? '\\N' : escapeCopyValue(expected)
        expect(out.take().toString('utf8'), what).toBe(text)
      }
    }
  })

  it('makes copy-safe fakes with no byte that COPY or a JSON string escapes, and never NULL', () => {
    let checked = 0
    for (const { label, name, c } of compiledWithBytes()) {
      if (transformers[name].copySafe !== true) continue
      expect(transformers[name].nullable, label).toBe(false)
      for (const value of inputsOf(name).filter((v) => accepts(c.fn, v))) {
        const fake = c.fn(value)
        expect(fake, `${label}: ${JSON.stringify(value)}`).not.toBeNull()
        expect(fake, `${label}: ${JSON.stringify(value)}`).not.toMatch(/["\\\p{Cc}]/u)
        checked++
      }
    }
    expect(checked).toBeGreaterThan(1000)
  })

  it('gives the same rows as the string path alone, for plain, non-ASCII, escaped and NULL fields', () => {
    for (const { label, name, c, spec, column } of compiledWithBytes()) {
      const values = inputsOf(name).filter((v) => accepts(c.fn, v))
      const copyText = `${values.map((v) => `${escapeCopyValue(v)}\t${v.length}\n`).join('')}\\N\tnull\n`
      const run = (fields: FieldTransform[]) => {
        const out = new OutBuffer(16)
        const rewriter = createRowRewriter(fields, out, () => label)
        const bytes = Buffer.from(copyText, 'utf8')
        for (let i = 0; i < bytes.length; i += 1000) rewriter.push(bytes.subarray(i, i + 1000))
        rewriter.end()
        return out.take().toString('utf8')
      }
      const copySafe = transformers[name].copySafe === true
      const fast = run([{ fn: c.fn, copySafe, bytes: c.bytes }])
      // A fresh compiler: its own memo, and the string path only.
      const plain = createCompiler('byte-path-test-key')(spec, column)
      const slow = run([{ fn: plain.fn, copySafe, bytes: null }])
      expect(fast, label).toBe(slow)
    }
  })
})

describe('fast path of plain JSON documents', () => {
  const column: ColumnInfo = { kind: 'json', type: 'jsonb', maxLength: null }
  /** Leaves with and without a fast path, NULL, a quote in the fake, numbers. */
  const spec: RuleSpec = {
    transform: 'json',
    paths: {
      '$.email': 'email',
      '$.name': 'fullName',
      '$.phone': 'phone',
      '$.address.street': 'streetAddress',
      '$.address.city': 'city',
      '$.address.postcode': 'postcode',
      '$.recipients[*].email': 'email',
      '$.recipients[*].name': { transform: 'text' },
      '$.avatar': 'null',
      '$.note': { transform: 'const', value: 'say "hi"' },
      '$.total': { transform: 'number', ratio: 0.2 },
      '$.kept': 'keep',
      '$..tag': 'word',
    },
  }
  const sample = transformerSamples.json
  const docs = [
    ...Array.from({ length: 200 }, (_, i) => sample?.input(i * 7919) ?? ''),
    '{}',
    '[]',
    '"alone"',
    '{"carrier": "UPS"}',
    '{"email": ""}',
    '{"email": "a@b.c", "email": "d@e.f"}',
    '{ "name" : "Ann Lee" , "phone":"+1 (212) 555-0100"}',
    // The phone keeps its input's other characters: a quote or a control byte must be escaped.
    '{"phone": "12\\"3"}',
    '{"phone": "1\u00012"}',
    '{"avatar": "https://cdn.example.com/a.png", "note": "x", "kept": "k", "total": 12.5}',
    '{"total": "12.50", "name": 5, "email": null, "phone": true}',
    '{"recipients": [{"name": "Al", "email": "al@x.io"}, {"name": "Bo"}, 3, "s"]}',
    '{"a": {"b": [{"tag": "red"}, {"tag": "blue", "c": {"tag": "x"}}]}}',
    '{"address": {"city": "Zurich", "street": "1 Main St", "postcode": 8001}}',
    `{"email": "${'long.handle'.repeat(40)}@example.com"}`,
    '{"name": "Zoë Ångström", "email": "zoë@example.com", "address": {"city": "Zürich"}}',
    '{"名前": "東京", "email": "a@b.c", "recipients": [{"name": "Renée 😀", "email": "x@y.z"}]}',
    '{"name": "Zoë" x}',
    '{"é": 1, "email": "a@b.c"} ü',
    '{"email": "a@b.c"',
    '{"email" "a@b.c"}',
    '{"email": "a@b.c"} x',
    '',
    // Keys that are prefixes or extensions of rule keys; subtrees no rule reaches, skipped
    // with brackets and quotes-to-be inside their strings; empty containers.
    '{"emails": "a@b.c", "emai": "x", "email": "y", "e": "z", "mail": "w"}',
    '{"gift": {"a": [1, {"b": "]}[{"}, []], "c": {}}, "email": "a@b.c", "tail": [[{}]]}',
    '{"address": {}, "recipients": [], "email": "a@b.c", "name": ""}',
    '{"recipients": [[], {}, [{"email": "x@y.z"}], {"email": "p@q.r", "x": {"email": 1}}]}',
    '{"address": {"city": {"name": "Bern"}, "street": ["1 Main St"], "postcode": "3000"}}',
    '{"a": {"b": {"tag": ["red", {"tag": "blue"}], "x": [{"y": [{"tag": "g"}]}]}}}',
    // Keys and values with other than ASCII; a key no rule names that an ASCII one ends.
    '{"é": {"email": "ü"}, "émail": "x", "email": "zoë@x.io", "name": "Ünal Çelik"}',
    '{"名前": [{"email": "東京"}], "email": "a@b.c", "phone": "+1 (212) 555-0100 ☎"}',
    // Malformed after a leaf, in a skipped subtree, in a key with other than ASCII.
    '{"email": "a@b.c", "gift": [1, 2}',
    '{"email": "a@b.c", "gift": {"a": "b"}',
    '{"email": "a@b.c", "gift": {"a": "b" "c"}}',
    '{"émail": "x", "email": "a@b.c", "é": [}',
    '{"email": "a@b.c", "x": tru}',
    '{"email": "a@b.c",}',
    '[{"email": "a@b.c"}, ]',
  ]

  it('writes what the string path returns, for every document without a backslash', () => {
    const c = createCompiler('byte-path-test-key')(spec, column)
    expect(c.bytes?.utf8).toBe(true)
    for (const doc of docs.filter((d) => !d.includes('\\'))) {
      const src = Buffer.from(`\t${doc}\t`, 'utf8')
      const end = src.length - 1
      const out = new OutBuffer(4)
      const what = JSON.stringify(doc)
      let expected: string | null
      try {
        expected = c.fn(doc)
      } catch (err) {
        // The same error, positions in characters.
        expect(() => c.bytes?.(src, 1, end, out), what).toThrow((err as Error).message)
        continue
      }
      c.bytes?.(src, 1, end, out)
      expect(out.take().toString('utf8'), what).toBe(
        expected === null ? '\\N' : escapeCopyValue(expected),
      )
    }
  })

  it('gives the same rows as the string path alone, with non-ASCII and escaped documents mixed in', () => {
    const valid = docs.filter((d) => accepts(createCompiler('k')(spec, column).fn, d))
    const mixed = [
      ...valid,
      '{"name": "Zoë Ångström", "email": "zoe@example.com"}',
      '{"name": "tab\\there", "phone": "+1 (212) 555-0100"}',
      '{"name": "back\\\\slash", "note": "\\u00e9"}',
      // Escapes that look like quotes, escaped keys, escapes in skipped subtrees.
      '{"name": "a\\"b", "email": "c\\\\", "phone": "\\"\\"\\""}',
      '{"em\\u0061il": "x@y.z", "gift": {"a": "\\"}]"}, "name": "Zoë \\u00e9"}',
    ]
    const copyText = `${mixed.map((d) => `${escapeCopyValue(d)}\t${d.length}\n`).join('')}\\N\t0\n`
    const run = (fields: FieldTransform[]) => {
      const out = new OutBuffer(16)
      const rewriter = createRowRewriter(fields, out, () => 'json')
      const bytes = Buffer.from(copyText, 'utf8')
      for (let i = 0; i < bytes.length; i += 1000) rewriter.push(bytes.subarray(i, i + 1000))
      rewriter.end()
      return out.take().toString('utf8')
    }
    const c = createCompiler('byte-path-test-key')(spec, column)
    const fast = run([{ fn: c.fn, copySafe: false, bytes: c.bytes }])
    const plain = createCompiler('byte-path-test-key')(spec, column)
    const slow = run([{ fn: plain.fn, copySafe: false, bytes: null }])
    expect(fast).toBe(slow)
    // The control byte the phone kept and the const's quotes are escaped in the JSON
    // (and its backslashes in COPY); NULL is JSON's null.
    expect(fast).toContain('"phone": "1\\\\u0001')
    expect(fast).toContain('"avatar": null')
    // A key no rule names is kept with its value; a leaf with other than ASCII is rewritten.
    expect(fast).toContain('"名前": "東京"')
    expect(fast).not.toContain('Renée')
    expect(fast).toContain('"note": "say \\\\"hi\\\\""')
  })

  it('rewrites exactly the leaves at the rule paths, and under them (checked against JSON.parse)', () => {
    const text: ColumnInfo = { kind: 'text', type: 'text', maxLength: null }
    const rules = {
      '$.email': 'email',
      '$.name': 'fullName',
      '$.address.city': 'city',
      '$.recipients[*].email': 'email',
    } as const
    const compile = createCompiler('byte-path-test-key')
    const c = compile({ transform: 'json', paths: rules }, column)
    /** The fake of each leaf at or under a path: strings, and integers by their text. */
    const fakeAll = (v: unknown, rule: string): unknown => {
      if (typeof v === 'string' || typeof v === 'number') return compile(rule, text).fn(String(v))
      if (Array.isArray(v)) return v.map((e) => fakeAll(e, rule))
      if (v && typeof v === 'object') {
        return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, fakeAll(e, rule)]))
      }
      return v
    }
    const at = (o: unknown, k: string) =>
      o && typeof o === 'object' && !Array.isArray(o) && k in o
        ? (o as Record<string, unknown>)[k]
        : undefined
    const oracle = (doc: unknown): unknown => {
      if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return doc
      const o = { ...(doc as Record<string, unknown>) }
      if ('email' in o) o.email = fakeAll(o.email, rules['$.email'])
      if ('name' in o) o.name = fakeAll(o.name, rules['$.name'])
      const address = at(o, 'address')
      if (address && typeof address === 'object' && !Array.isArray(address) && 'city' in address) {
        o.address = { ...address, city: fakeAll(at(address, 'city'), rules['$.address.city']) }
      }
      if (Array.isArray(o.recipients)) {
        o.recipients = o.recipients.map((r: unknown) =>
          at(r, 'email') === undefined
            ? r
            : { ...(r as object), email: fakeAll(at(r, 'email'), rules['$.recipients[*].email']) },
        )
      }
      return o
    }
    const cases = [
      ...docs.filter((d) => !d.includes('\\') && !/\d\.\d|"email": "a@b.c", "email"/.test(d)),
      '{"email": {"work": "w@x.io", "home": ["h@x.io", 7, true, null]}, "name": 12}',
      '{"address": {"city": ["Bern", {"zip": "3000"}], "cityx": "Basel"}, "names": "Al"}',
      '{"recipients": [{"email": "a@b.c", "emai": "d@e.f"}, "x@y.z", [{"email": "n@o.p"}]]}',
    ]
    let checked = 0
    for (const doc of cases) {
      let expected: unknown
      try {
        expected = oracle(JSON.parse(doc))
      } catch {
        continue // malformed: the other tests hold its error
      }
      const src = Buffer.from(`\t${doc}\t`, 'utf8')
      const out = new OutBuffer(4)
      c.bytes?.(src, 1, src.length - 1, out)
      expect(JSON.parse(out.take().toString('utf8')), doc).toEqual(expected)
      expect(JSON.parse(c.fn(doc) as string), doc).toEqual(expected)
      checked++
    }
    expect(checked).toBeGreaterThan(200)
  })

  it('reads a document only up to its field: the fields after it never complete it', () => {
    // Each document is cut short where the next field, or the next row, would close it.
    const rows = [
      '{"email": "a@b.c\t"}\n',
      '{"email": "a@b.c", "name": \t"Al"}\n',
      '{"email": "a@b.c"\t}\n',
      '{"email": \ttrue}\n',
      '{"email": 12\t3}\n',
      '{"recipients": [{"name": "Al"}\t]}\n',
      '{"email": "a", "gift": {"a": "\t"}}\n',
      '{"email": "a", "gift": ["\t"]}\n',
    ]
    // Whole documents followed by a field that starts with JSON whitespace or a value.
    const valid = ['{"email": "a@b.c"}\t \n', '{"email": "a@b.c"} \t{}\n', '["a"]\t\t]\n']
    const c = createCompiler('byte-path-test-key')(spec, column)
    const plain = createCompiler('byte-path-test-key')(spec, column)
    const run = (row: string, fields: FieldTransform[]) => {
      const out = new OutBuffer(16)
      const rewriter = createRowRewriter(fields, out, () => 'json')
      try {
        // A row after it, so the segment goes on past the document's field.
        rewriter.push(Buffer.from(`${row}{"email": "x@y.z"}\tz\n`, 'utf8'))
        rewriter.end()
        return out.take().toString('utf8')
      } catch (err) {
        return `error: ${(err as Error).message}`
      }
    }
    for (const row of [...rows, ...valid]) {
      const fast = run(row, [
        { fn: c.fn, copySafe: false, bytes: c.bytes },
        { fn: c.fn, copySafe: false, bytes: null },
      ])
      const slow = run(row, [
        { fn: plain.fn, copySafe: false, bytes: null },
        { fn: plain.fn, copySafe: false, bytes: null },
      ])
      expect(fast, row).toBe(slow)
      if (rows.includes(row)) {
        expect(fast, row).toMatch(/^error: json: not valid JSON \(at character \d+\)$/)
      } else {
        expect(fast, row).toMatch(/^\{"email": "[^"]+"\} ?\t|^\["a"\]\t/)
      }
    }
  })

  it('scans documents with other than ASCII as bytes only when every key of the rules is ASCII', () => {
    const c = createCompiler('k')({ transform: 'json', paths: { '$.名前': 'fullName' } }, column)
    expect(c.bytes?.utf8).toBe(false)
    const run = (fields: FieldTransform[]) => {
      const out = new OutBuffer(16)
      const rewriter = createRowRewriter(fields, out, () => 'json')
      rewriter.push(Buffer.from('{"名前": "Zoë", "x": 1}\n{"名前": "Al"}\n', 'utf8'))
      rewriter.end()
      return out.take().toString('utf8')
    }
    const fast = run([{ fn: c.fn, copySafe: false, bytes: c.bytes }])
    expect(fast).toBe(run([{ fn: c.fn, copySafe: false, bytes: null }]))
    expect(fast).not.toContain('Zoë')
  })
})

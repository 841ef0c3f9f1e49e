import { describe, expect, it } from 'vitest'
import { createDumpScanner } from './dump-scanner.js'
import { leakPatterns } from './leak-patterns.js'
import { createPrefixIndex } from './prefix-index.js'

const dump = [
  '-- a comment naming alice.liddell@wonderland.test outside any table\n',
  'CREATE TABLE "Billing"."Invoice Lines" ("a" text);\n',
  'COPY "Billing"."Invoice Lines" ("LineNo", "select", "note") FROM stdin;\n',
  '1\tWrite to alice.liddell@wonderland.test\t\\N\n',
  '2\tplain\tline one\\nalice.liddell@wonderland.test\n',
  '3\txalice.liddell@wonderland.test\talice.liddell@wonderland.tests\n',
  '\\.\n',
  'COPY "public"."events" ("id", "payload") FROM stdin;\n',
  '4\t{"email": "alice.liddell@wonderland.test", "note": "say \\\\"hi\\\\" to Bob\\\\tO\'Connor"}\n',
  '\\.\n',
  'SELECT 1; -- alice.liddell@wonderland.test again\n',
].join('')

function scan(text: string, values: string[], chunkSize: number) {
  const patterns = values.flatMap((v) => leakPatterns(v))
  const hits: string[] = []
  const scanner = createDumpScanner(createPrefixIndex(patterns), (table, column) =>
    hits.push(`${table}.${column}`),
  )
  const bytes = Buffer.from(text)
  for (let i = 0; i < bytes.length; i += chunkSize) {
    scanner.write(bytes.subarray(i, i + chunkSize))
  }
  scanner.end()
  return { hits, bytes: scanner.bytes }
}

describe('the dump scanner', () => {
  it.each([1, 3, 7, 64, 1 << 16])(
    'names the table and column of every match, in chunks of %i bytes',
    (chunkSize) => {
      const { hits, bytes } = scan(
        dump,
        ['alice.liddell@wonderland.test', "Bob\tO'Connor"],
        chunkSize,
      )
      expect(hits).toEqual([
        'null.null',
        'Billing.Invoice Lines.select',
        'Billing.Invoice Lines.note',
        'public.events.payload',
        'public.events.payload',
        'null.null',
      ])
      expect(bytes).toBe(Buffer.byteLength(dump))
    },
  )

  it('does not match inside a longer word', () => {
    const { hits } = scan(
      'COPY "s"."t" ("ip") FROM stdin;\n10.20.0.55\n10.20.0.5\n\\.\n',
      ['10.20.0.5'],
      5,
    )
    expect(hits).toEqual(['s.t.ip'])
  })

  it('finds a 7-byte value at every alignment, in every chunking', () => {
    const lines = Array.from({ length: 9 }, (_, pad) => `${pad}\t${' '.repeat(pad)}abc@d.e x\n`)
    const text = `COPY "s"."t" ("id", "note") FROM stdin;\n${lines.join('')}\\.\n`
    for (const chunkSize of [1, 2, 5, 8, 1000]) {
      expect(scan(text, ['abc@d.e'], chunkSize).hits).toEqual(Array(9).fill('s.t.note'))
    }
  })

  it('finds nothing in a dump without the values', () => {
    expect(scan(dump, ['bob.o@example.org', 'Zoë Ångström'], 4).hits).toEqual([])
  })
})

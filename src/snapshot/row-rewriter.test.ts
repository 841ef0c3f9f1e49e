import { describe, expect, it } from 'vitest'
import { OutBuffer } from './out-buffer.js'
import { createRowRewriter } from './row-rewriter.js'

function rewrite(
  input: string,
  transforms: ((v: string) => string | null)[],
  chunkSize = 3,
  copySafe = false,
) {
  const out = new OutBuffer(4)
  const fields = transforms.map((fn) => ({ fn, copySafe }))
  const rewriter = createRowRewriter(fields, out, () => 'public.t')
  const bytes = Buffer.from(input)
  for (let i = 0; i < bytes.length; i += chunkSize) rewriter.push(bytes.subarray(i, i + chunkSize))
  rewriter.end()
  return { text: out.take().toString(), rows: rewriter.rows }
}

describe('row rewriter', () => {
  const upper = (v: string) => v.toUpperCase()

  it('transforms leading fields and copies the rest of each row as it is', () => {
    const input = 'alice\t1\tx\\ty\nbob\t2\t\\N\n'
    expect(rewrite(input, [upper])).toEqual({ text: 'ALICE\t1\tx\\ty\nBOB\t2\t\\N\n', rows: 2 })
  })

  it('keeps NULL as NULL and an empty string as an empty string', () => {
    const input = '\\N\t1\n\t2\n'
    expect(rewrite(input, [() => 'fake']).text).toBe('\\N\t1\nfake\t2\n')
  })

  it('unescapes before the transform and escapes its result', () => {
    const seen: string[] = []
    const input = 'a\\tb\\\\c\\nd\t1\n'
    const { text } = rewrite(input, [
      (v) => {
        seen.push(v)
        return `${v}\t!`
      },
    ])
    expect(seen).toEqual(['a\tb\\c\nd'])
    expect(text).toBe('a\\tb\\\\c\\nd\\t!\t1\n')
  })

  it('writes the output of a copy-safe transform without escaping it', () => {
    // Only transformers whose output cannot hold a backslash or control character declare it.
    expect(rewrite('a\\tb\t1\n', [(v) => `<${v}>`], 3, true).text).toBe('<a\tb>\t1\n')
  })

  it('writes NULL when a transform returns null', () => {
    expect(rewrite('x\ty\n', [() => null, () => 'z']).text).toBe('\\N\tz\n')
  })

  it('handles multi-byte characters split across chunks', () => {
    const { text } = rewrite('Zoë Ångström\tok\n', [upper], 1)
    expect(text).toBe('ZOË ÅNGSTRÖM\tok\n')
  })

  it('decodes ASCII and non-ASCII, short and long fields of one batch alike', () => {
    const long = `${'x'.repeat(70)}é`
    const rows = [
      ['Zoë', 'plain ascii value', '1 Main Street, Springfield', 'kept é'],
      ['ascii', 'Søren Kierkegaard', long, 'kept'],
      ['\\N', 'a\\tb', 'Łukasz', '\\N'],
    ]
    const input = rows.map((r) => `${r.join('\t')}\n`).join('')
    const seen: string[] = []
    const spy = (v: string) => {
      seen.push(v)
      return v.toUpperCase()
    }
    for (const chunkSize of [input.length * 3, 1, 7]) {
      seen.length = 0
      const { text } = rewrite(input, [spy, spy, spy], chunkSize)
      expect(seen).toEqual([
        'Zoë',
        'plain ascii value',
        '1 Main Street, Springfield',
        'ascii',
        'Søren Kierkegaard',
        long,
        'a\tb',
        'Łukasz',
      ])
      expect(text).toBe(
        `ZOË\tPLAIN ASCII VALUE\t1 MAIN STREET, SPRINGFIELD\tkept é\nASCII\tSØREN KIERKEGAARD\t${long.toUpperCase()}\tkept\n\\N\tA\\tB\tŁUKASZ\t\\N\n`,
      )
    }
  })

  it('rewrites every row of a batch larger than a segment, a row longer than one too', () => {
    const rows = Array.from({ length: 5000 }, (_, i) =>
      i === 2500 ? `${'é'.repeat(70_000)}\tkept\n` : `row ${i} Zoë\t${i}\n`,
    )
    const input = rows.join('')
    const { text, rows: count } = rewrite(input, [upper], input.length)
    expect(count).toBe(5000)
    expect(text).toBe(input.replace(/^[^\t]*/gm, (f) => f.toUpperCase()))
  })

  it('passes rows through untouched and counts them when nothing is transformed', () => {
    expect(rewrite('a\tb\nc\td\ne\tf\n', [])).toEqual({ text: 'a\tb\nc\td\ne\tf\n', rows: 3 })
  })

  it('refuses a stream that stops in the middle of a row', () => {
    expect(() => rewrite('a\tb\nc\td', [])).toThrow(/middle of a row/)
  })
})

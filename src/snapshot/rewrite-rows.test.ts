import { describe, expect, it } from 'vitest'
import { countRows, rewriteRows } from './rewrite-rows.js'

const rewrite = (input: string, transforms: ((v: string) => string | null)[]) =>
  rewriteRows(input, transforms, 'public.t')

describe('rewriteRows', () => {
  const upper = (v: string) => v.toUpperCase()

  it('transforms leading fields and copies the rest of each row as it is', () => {
    const input = 'alice\t1\tx\\ty\nbob\t2\t\\N\n'
    expect(rewrite(input, [upper])).toEqual({ text: 'ALICE\t1\tx\\ty\nBOB\t2\t\\N\n', rows: 2 })
  })

  it('keeps NULL as NULL and an empty string as an empty string', () => {
    expect(rewrite('\\N\t1\n\t2\n', [() => 'fake']).text).toBe('\\N\t1\nfake\t2\n')
  })

  it('unescapes before the transform and escapes its result', () => {
    const seen: string[] = []
    const { text } = rewrite('a\\tb\\\\c\\nd\t1\n', [
      (v) => {
        seen.push(v)
        return `${v}\t!`
      },
    ])
    expect(seen).toEqual(['a\tb\\c\nd'])
    expect(text).toBe('a\\tb\\\\c\\nd\\t!\t1\n')
  })

  it('writes NULL when a transform returns null', () => {
    expect(rewrite('x\ty\n', [() => null, () => 'z']).text).toBe('\\N\tz\n')
  })

  it('transforms every field when every column is transformed', () => {
    expect(rewrite('a\tb\nc\td\n', [upper, upper])).toEqual({ text: 'A\tB\nC\tD\n', rows: 2 })
  })

  it('keeps multi-byte characters whole', () => {
    expect(rewrite('Zoë Ångström\tok\n', [upper]).text).toBe('ZOË ÅNGSTRÖM\tok\n')
  })

  it('refuses a row with fewer fields than the transforms expect', () => {
    expect(() => rewrite('only\n', [upper, upper])).toThrow(/public\.t: row 1 has fewer fields/)
  })

  it('refuses data that stops in the middle of a row', () => {
    expect(() => rewrite('a\tb\nc\td', [upper])).toThrow(/middle of a row/)
  })
})

describe('countRows', () => {
  it('counts rows without decoding them', () => {
    expect(countRows(Buffer.from('a\tb\nc\td\ne\tf\n'))).toBe(3)
    expect(countRows(Buffer.alloc(0))).toBe(0)
  })

  it('refuses data that stops in the middle of a row', () => {
    expect(() => countRows(Buffer.from('a\nb'))).toThrow(/middle of a row/)
  })
})

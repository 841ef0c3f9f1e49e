import { describe, expect, it } from 'vitest'
import { parseJsonPath } from './json-path.js'

describe('parseJsonPath', () => {
  it('parses keys, quoted keys, indexes, wildcards and recursive descent', () => {
    expect(parseJsonPath('$')).toEqual([])
    expect(parseJsonPath('$.customer.email')).toEqual([
      { descend: false, select: 'customer' },
      { descend: false, select: 'email' },
    ])
    expect(parseJsonPath(`$['a b']["c'd"][2][*].*`)).toEqual([
      { descend: false, select: 'a b' },
      { descend: false, select: "c'd" },
      { descend: false, select: 2 },
      { descend: false, select: null },
      { descend: false, select: null },
    ])
    expect(parseJsonPath("$..email..['x.y']..*")).toEqual([
      { descend: true, select: 'email' },
      { descend: true, select: 'x.y' },
      { descend: true, select: null },
    ])
    expect(parseJsonPath(`$['it\\'s']`)).toEqual([{ descend: false, select: "it's" }])
  })

  it('names the bad path and the accepted syntax', () => {
    for (const bad of [
      'email',
      '$.',
      '$..',
      '$[',
      '$[-1]',
      "$['open",
      '$.a b',
      '$[?(@.x)]',
      '$...a',
    ]) {
      expect(() => parseJsonPath(bad)).toThrow(
        new RegExp(
          `invalid JSON path "${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}".*Supported: \\$, \\.key`,
        ),
      )
    }
  })
})

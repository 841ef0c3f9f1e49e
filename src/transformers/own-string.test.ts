import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { ownString } from './own-string.js'

describe('ownString', () => {
  it('returns the same text, short or long, ASCII or not', () => {
    const samples = [
      '',
      'a',
      'twelve chars',
      'thirteen char',
      'Zoë Ångström, 1 Main St',
      'x'.repeat(500),
    ]
    for (const s of samples) expect(ownString(s)).toBe(s)
  })

  it('keeps none of the string a slice was cut from alive', () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const heapAfter = (copy: (s: string) => string): number => {
      const kept: string[] = []
      for (let i = 0; i < 64; i++) {
        // A fresh megabyte each time, as each batch of rows is.
        const batch = `${i}`.padEnd(1 << 20, String.fromCharCode(97 + (i % 26)))
        kept.push(copy(batch.slice(1000, 1030)))
      }
      gc()
      const used = process.memoryUsage().heapUsed
      expect(kept).toHaveLength(64)
      return used
    }
    const before = heapAfter(() => '')
    // A plain slice keeps all 64 megabytes: the test can tell the difference.
    expect(heapAfter((s) => s) - before).toBeGreaterThan(32e6)
    expect(heapAfter(ownString) - before).toBeLessThan(8e6)
  })
})

import { describe, expect, it } from 'vitest'
import { createSeenTriggers } from './seen-triggers.js'

describe('createSeenTriggers', () => {
  it('answers a trigger once, and again only after it is forgotten', () => {
    const seen = createSeenTriggers(1000)
    expect(seen.firstTime('a', 0)).toBe(true)
    expect(seen.firstTime('a', 500)).toBe(false)
    expect(seen.firstTime('b', 500)).toBe(true)
    expect(seen.firstTime('a', 1500)).toBe(true)
  })

  it('stays bounded', () => {
    const seen = createSeenTriggers(60_000, 3)
    for (const id of ['a', 'b', 'c', 'd']) seen.firstTime(id, 0)
    expect(seen.firstTime('a', 1)).toBe(true)
    expect(seen.firstTime('d', 1)).toBe(false)
  })
})

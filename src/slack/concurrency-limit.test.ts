import { describe, expect, it } from 'vitest'
import { createConcurrencyLimit } from './concurrency-limit.js'

describe('createConcurrencyLimit', () => {
  it('runs at most max at once, in arrival order, and passes results and errors through', async () => {
    const limit = createConcurrencyLimit(2)
    let running = 0
    let peak = 0
    const order: number[] = []
    const work = (i: number) => () =>
      new Promise<number>((resolve) => {
        running++
        peak = Math.max(peak, running)
        order.push(i)
        setTimeout(() => {
          running--
          resolve(i)
        }, 10)
      })
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => limit(work(i))))
    expect(results).toEqual([1, 2, 3, 4, 5])
    expect(peak).toBe(2)
    expect(order).toEqual([1, 2, 3, 4, 5])
    await expect(limit(() => Promise.reject(new Error('no')))).rejects.toThrow('no')
    expect(await limit(async () => 'still works')).toBe('still works')
  })
})

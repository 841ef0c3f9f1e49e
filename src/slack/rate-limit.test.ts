import { describe, expect, it } from 'vitest'
import { createRateLimit } from './rate-limit.js'

describe('createRateLimit', () => {
  it('allows the limit in an hour, then says when the oldest one ages out', () => {
    const limit = createRateLimit(2)
    const t0 = new Date('2026-11-27T10:00:00Z')
    expect(limit.take('U1', t0)).toEqual({ ok: true })
    expect(limit.take('U1', new Date('2026-11-27T10:10:00Z'))).toEqual({ ok: true })
    expect(limit.take('U1', new Date('2026-11-27T10:20:00Z'))).toEqual({
      ok: false,
      retryAt: new Date('2026-11-27T11:00:00Z'),
    })
    expect(limit.take('U1', new Date('2026-11-27T11:00:01Z'))).toEqual({ ok: true })
  })

  it('counts each user apart', () => {
    const limit = createRateLimit(1)
    const t0 = new Date('2026-11-27T10:00:00Z')
    expect(limit.take('U1', t0).ok).toBe(true)
    expect(limit.take('U2', t0).ok).toBe(true)
    expect(limit.take('U1', t0).ok).toBe(false)
  })
})

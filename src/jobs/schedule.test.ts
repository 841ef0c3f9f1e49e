import { Writable } from 'node:stream'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLogger } from '../logger.js'
import { createSchedule } from './schedule.js'

const log = createLogger({
  level: 'silent',
  destination: new Writable({ write: (_c, _e, done) => done() }) as never,
})

afterEach(() => {
  vi.useRealTimers()
})

describe('the nightly schedule', () => {
  it('fires at 03:00 Berlin time (02:00 UTC in winter), once, and not a second before', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-27T01:59:58Z') })
    const fired: string[] = []
    const schedule = createSchedule({
      cron: '0 3 * * *',
      timezone: 'Europe/Berlin',
      fire: async () => {
        fired.push(new Date().toISOString())
      },
      log,
    })
    expect(schedule.nextRun()?.toISOString()).toBe('2026-11-27T02:00:00.000Z')
    await vi.advanceTimersByTimeAsync(1000)
    expect(fired).toEqual([])
    await vi.advanceTimersByTimeAsync(1500)
    expect(fired).toEqual(['2026-11-27T02:00:00.000Z'])
    expect(schedule.nextRun()?.toISOString()).toBe('2026-11-28T02:00:00.000Z')
    await vi.advanceTimersByTimeAsync(24 * 3600_000)
    expect(fired).toHaveLength(2)
    schedule.stop()
    await vi.advanceTimersByTimeAsync(24 * 3600_000)
    expect(fired).toHaveLength(2)
    expect(schedule.nextRun()).toBeNull()
  })

  it('follows daylight saving time: 03:00 Berlin is 01:00 UTC in summer', async () => {
    vi.useFakeTimers({ now: new Date('2027-03-27T12:00:00Z') })
    const schedule = createSchedule({
      cron: '0 3 * * *',
      timezone: 'Europe/Berlin',
      fire: async () => {},
      log,
    })
    // The clocks go forward on 28 March 2027.
    expect(schedule.nextRun()?.toISOString()).toBe('2027-03-28T01:00:00.000Z')
    schedule.stop()
  })

  it('skips a tick while the previous start is still going', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-27T00:00:00Z') })
    let calls = 0
    let release: () => void = () => {}
    const schedule = createSchedule({
      cron: '* * * * * *',
      timezone: 'UTC',
      fire: () => {
        calls++
        return new Promise<void>((r) => {
          release = r
        })
      },
      log,
    })
    await vi.advanceTimersByTimeAsync(5000)
    expect(calls).toBe(1)
    release()
    await vi.advanceTimersByTimeAsync(2000)
    expect(calls).toBe(2)
    schedule.stop()
  })
})

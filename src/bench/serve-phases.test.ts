import { describe, expect, it } from 'vitest'
import { phases } from '../slack/phase-recorder.js'
import { formatPhases } from './serve-phases.js'

describe('formatPhases', () => {
  it('summarizes each step, the wait until a write starts and the writes, from the window on', () => {
    // received, acked, listener, auditQueued, auditDurable, replySent, replyAnswered
    const command = (t: number) => [t, t + 1, t + 1, t + 3, t + 13, t + 13, t + 15]
    const record = {
      phases,
      commands: [command(0), command(1000), command(1002)],
      // As recorded, in the order they ended.
      writes: [
        [1, 5, 10],
        [1, 1003, 1013],
        [1, 1015, 1020],
      ] as Array<[number, number, number]>,
      cap: 20_000,
      commandsCapped: null,
      writesCapped: null,
    }
    const text = formatPhases(record, 1000)
    expect(text).toContain('2 commands')
    expect(text).toContain('| received → acked | 1.0 | 1.0 | 1.0 |')
    expect(text).toContain('| auditQueued → auditDurable | 10.0 | 10.0 | 10.0 |')
    expect(text).toContain('| received → replyAnswered (all in serve) | 15.0 | 15.0 | 15.0 |')
    // Queued at 1003 (its write started at once) and 1005 (its write started at 1015).
    expect(text).toContain('| auditQueued: until its write starts | 0.0 | 10.0 | 10.0 |')
    expect(text).toContain('| no write in flight before a write | 2.0 | 2.0 | 2.0 |')
    expect(text).toContain('2 audit writes in the window, 0 of them beside another')
    // Two writes in flight at once, recorded as they ended: ordered by start, no gap.
    const overlapping = formatPhases(
      {
        ...record,
        writes: [
          [8, 1006, 1012],
          [1, 1003, 1020],
          [3, 1021, 1030],
        ],
      },
      1000,
    )
    expect(overlapping).toContain('| no write in flight before a write | 0.0 | 1.0 | 1.0 |')
    expect(overlapping).toContain('3 audit writes in the window, 1 of them beside another')
    expect(text).not.toContain('cap')
    const capped = formatPhases(
      { ...record, cap: 3, commandsCapped: { at: 1004, dropped: 2 } },
      1000,
    )
    expect(capped).toContain("The recorder's cap (3) was reached: 2 commands not kept")
  })
})

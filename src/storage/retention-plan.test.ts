import { describe, expect, it } from 'vitest'
import { planRetention, type SnapshotEntry } from './retention-plan.js'

const now = new Date('2026-11-27T12:00:00Z')
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000)
const idDaysAgo = (d: number, s = '0000') =>
  `${daysAgo(d)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${s}`
const complete = (d: number): SnapshotEntry => ({
  id: idDaysAgo(d),
  complete: true,
  lastModified: daysAgo(d),
})
const incomplete = (d: number): SnapshotEntry => ({
  id: idDaysAgo(d, 'ffff'),
  complete: false,
  lastModified: daysAgo(d),
})

describe('planRetention', () => {
  it('keeps the newest `keep` complete snapshots and deletes the older ones', () => {
    const entries = [complete(3), complete(0), complete(1), complete(2)]
    expect(planRetention(entries, { keep: 2, maxAgeDays: 30 }, now).sort()).toEqual(
      [idDaysAgo(2), idDaysAgo(3)].sort(),
    )
  })

  it('deletes complete snapshots older than maxAgeDays', () => {
    const entries = [complete(0), complete(10), complete(40)]
    expect(planRetention(entries, { keep: 7, maxAgeDays: 30 }, now)).toEqual([idDaysAgo(40)])
  })

  it('never deletes the newest complete snapshot, however old', () => {
    expect(planRetention([complete(90), complete(100)], { keep: 1, maxAgeDays: 30 }, now)).toEqual([
      idDaysAgo(100),
    ])
  })

  it('removes incomplete leftovers older than a day, and leaves fresher ones uploading', () => {
    const entries = [complete(0), incomplete(2), incomplete(0.5)]
    expect(planRetention(entries, { keep: 7, maxAgeDays: 30 }, now)).toEqual([idDaysAgo(2, 'ffff')])
  })

  it('does not count an incomplete snapshot as the newest one', () => {
    const entries = [incomplete(0.1), complete(5), complete(6)]
    expect(planRetention(entries, { keep: 1, maxAgeDays: 30 }, now)).toEqual([idDaysAgo(6)])
  })
})

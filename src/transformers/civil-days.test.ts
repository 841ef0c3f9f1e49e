import { describe, expect, it } from 'vitest'
import { civilFromDays, daysFromCivil } from './civil-days.js'

const dayMs = 86_400_000

describe('civil days', () => {
  it('agrees with Date across leap years, centuries and BC years', () => {
    for (let days = -2_500_000; days <= 2_500_000; days += 997) {
      const date = new Date(days * dayMs)
      const ymd = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()]
      expect(civilFromDays(days)).toEqual(ymd)
      expect(daysFromCivil(ymd[0] ?? 0, ymd[1] ?? 0, ymd[2] ?? 0)).toBe(days)
    }
  })

  it('knows the epoch, leap days and PostgreSQL extremes', () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0)
    expect(civilFromDays(daysFromCivil(2000, 2, 28) + 1)).toEqual([2000, 2, 29])
    expect(civilFromDays(daysFromCivil(1900, 2, 28) + 1)).toEqual([1900, 3, 1])
    expect(civilFromDays(daysFromCivil(0, 2, 28) + 1)).toEqual([0, 2, 29])
    expect(civilFromDays(daysFromCivil(5_874_897, 12, 31))).toEqual([5_874_897, 12, 31])
    expect(civilFromDays(daysFromCivil(-4713, 11, 24))).toEqual([-4713, 11, 24])
  })
})

import { describe, expect, it } from 'vitest'
import { columns, compileFor, otherKey } from '../../test/helpers/compile-for-test.js'

const dayMs = 86_400_000
const days = Array.from({ length: 3000 }, (_, i) =>
  new Date(Date.UTC(1990, 0, 1) + i * 7 * dayMs).toISOString().slice(0, 10),
)

/** Days between two ISO dates (AD, four-digit years). */
const between = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / dayMs

/** Milliseconds of a `YYYY-MM-DD[ BC]` date, with 1 BC as year 0. */
function astronomical(text: string): number {
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number]
  const day = new Date(0)
  day.setUTCFullYear(text.endsWith(' BC') ? 1 - y : y, m - 1, d)
  return day.getTime()
}

describe('date', () => {
  it('shifts dates by a non-zero number of days within jitterDays, always valid', () => {
    const fn = compileFor({ transform: 'date', jitterDays: 10 }, columns.date)
    for (const d of days) {
      const out = String(fn(d))
      expect(out).toMatch(/^\d{4}-\d\d-\d\d$/)
      expect(new Date(`${out}T00:00:00Z`).toISOString().slice(0, 10)).toBe(out)
      const shift = between(d, out)
      expect(Number.isInteger(shift)).toBe(true)
      expect(Math.abs(shift)).toBeGreaterThanOrEqual(1)
      expect(Math.abs(shift)).toBeLessThanOrEqual(10)
    }
  })

  it('is deterministic and depends on the key', () => {
    const fn = compileFor('date', columns.date)
    expect(days.map(fn)).toEqual(days.map(fn))
    expect(days.map(compileFor('date', columns.date, otherKey))).not.toEqual(days.map(fn))
  })

  it('keeps the time of day and zone text', () => {
    const ts = compileFor('date', columns.timestamp)('2024-02-29 13:45:07.123456')
    expect(ts).toMatch(/^\d{4}-\d\d-\d\d 13:45:07\.123456$/)
    const tz = String(compileFor('date', columns.timestamptz)('2024-02-29 23:59:59+00'))
    expect(tz).toMatch(/^\d{4}-\d\d-\d\d 23:59:59\+00$/)
    expect(Math.abs(between('2024-02-29', tz.slice(0, 10)))).toBeLessThanOrEqual(30)
  })

  it('keeps infinity', () => {
    const fn = compileFor('date', columns.timestamptz)
    expect(fn('infinity')).toBe('infinity')
    expect(fn('-infinity')).toBe('-infinity')
  })

  it('shifts years before 100 and BC dates without losing the era', () => {
    const fn = compileFor({ transform: 'date', jitterDays: 400 }, columns.date)
    expect(fn('0044-03-15')).toMatch(/^004[345]-\d\d-\d\d$/)
    for (let i = 1; i <= 200; i++) {
      const input = `0001-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`
      const out = String(fn(input))
      // Year 1 AD is preceded by 1 BC: there is no year 0000.
      expect(out).toMatch(/^(000[123]-\d\d-\d\d|000[12]-\d\d-\d\d BC)$/)
      const shift = (astronomical(out) - astronomical(input)) / dayMs
      expect(Math.abs(shift)).toBeGreaterThanOrEqual(1)
      expect(Math.abs(shift)).toBeLessThanOrEqual(400)
    }
    const bc = compileFor('date', columns.timestamptz)('0044-03-15 12:00:00+00 BC')
    expect(bc).toMatch(/^0044-0[234]-\d\d 12:00:00\+00 BC$/)
  })

  it('stays inside PostgreSQL range at its edges and keeps five-digit years', () => {
    const fn = compileFor({ transform: 'date', jitterDays: 100 }, columns.date)
    for (let i = 0; i < 50; i++) {
      expect(fn(`4714-11-${24 + (i % 5)} BC`)).toMatch(/^4714-1[12]-\d\d BC$|^4713-0[1-3]-\d\d BC$/)
    }
    expect(fn('12345-06-01')).toMatch(/^12345-0[5-9]-\d\d$/)
    // The last day PostgreSQL stores can only move back.
    for (let i = 0; i < 20; i++)
      expect(fn(`5874897-12-${31 - i}`)).toMatch(/^5874897-(09|1[012])-\d\d$/)
    const ts = compileFor({ transform: 'date', jitterDays: 100 }, columns.timestamp)
    expect(ts('294276-12-31 23:59:59')).toMatch(/^294276-(09|1[012])-\d\d 23:59:59$/)
  })

  it('keeps dates when jitterDays is 0', () => {
    expect(compileFor({ transform: 'date', jitterDays: 0 }, columns.date)('2020-01-01')).toBe(
      '2020-01-01',
    )
  })

  it('refuses text columns', () => {
    expect(() => compileFor('date', columns.text)).toThrow(/cannot produce/)
  })
})

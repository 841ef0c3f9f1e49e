import { describe, expect, it } from 'vitest'
import {
  auditKey,
  contentDisposition,
  isAuditName,
  isSnapshotId,
  normalizePrefix,
  parseSnapshotKey,
  snapshotIdTime,
  snapshotKey,
} from './keys.js'

describe('storage keys', () => {
  it('lays out snapshots and audit objects under the prefix', () => {
    expect(snapshotKey('dumpling', '20261127T030000Z-3f9a', 'dump.sql.gz')).toBe(
      'dumpling/snapshots/20261127T030000Z-3f9a/dump.sql.gz',
    )
    expect(snapshotKey('', '20261127T030000Z-3f9a', 'manifest.json')).toBe(
      'snapshots/20261127T030000Z-3f9a/manifest.json',
    )
    expect(auditKey('/a/b/', 'x.json')).toBe('a/b/audit/x.json')
    expect(normalizePrefix('//')).toBe('')
  })

  it('parses only keys of snapshot folders under its own prefix', () => {
    expect(parseSnapshotKey('p/', 'p/snapshots/20261127T030000Z-3f9a/dump.sql.gz')).toEqual({
      id: '20261127T030000Z-3f9a',
      file: 'dump.sql.gz',
    })
    expect(parseSnapshotKey('p/', 'q/snapshots/20261127T030000Z-3f9a/dump.sql.gz')).toBeNull()
    expect(parseSnapshotKey('p/', 'p/snapshots/latest/dump.sql.gz')).toBeNull()
    expect(parseSnapshotKey('p/', 'p/snapshots/20261127T030000Z-3f9a/x/y')).toBeNull()
    expect(parseSnapshotKey('p/', 'p/audit/20261127T030000Z-3f9a.json')).toBeNull()
  })

  it('accepts only time-sorted ids, and reads their time', () => {
    expect(isSnapshotId('20261127T030000Z-3f9a')).toBe(true)
    for (const bad of [
      '../etc',
      '20261127T030000Z-3f9a/..',
      '',
      'latest',
      '20261127T030000Z-3F9A',
    ]) {
      expect(isSnapshotId(bad)).toBe(false)
    }
    expect(snapshotIdTime('20261127T030405Z-3f9a').toISOString()).toBe('2026-11-27T03:04:05.000Z')
    expect(() => snapshotKey('', '../x', 'dump.sql.gz')).toThrow(/not a snapshot id/)
  })

  it('refuses audit names that could climb out of audit/', () => {
    expect(isAuditName('2026/11/27/e1.json')).toBe(true)
    for (const bad of ['../x', 'a/../../x', '/x', 'a//b', '.hidden', 'a\\b', '']) {
      expect(isAuditName(bad)).toBe(false)
    }
  })

  it('names the download after the database, with nothing unsafe in the header', () => {
    expect(contentDisposition('app', '20261127T030000Z-3f9a')).toBe(
      'attachment; filename="app-20261127T030000Z-3f9a.sql.gz"',
    )
    expect(contentDisposition('a"b\r\nc d', 'x')).toBe('attachment; filename="a_b__c_d-x.sql.gz"')
  })
})

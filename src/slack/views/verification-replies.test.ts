import { describe, expect, it } from 'vitest'
import type { Manifest } from '../../snapshot/manifest.js'
import { scheduleBusyPostText, scheduleEndPostText } from './audit-post.js'
import { statusReply } from './job-replies.js'
import { latestReply } from './replies.js'

const manifest = (verified?: Manifest['verified']): Manifest => ({
  formatVersion: 1,
  id: '20261127T020000Z-3f9a',
  createdAt: '2026-11-27T02:00:00.000Z',
  tool: { name: 'dumpling', version: 'test' },
  source: { database: 'app', serverVersion: '16.4', systemIdentifier: '1' },
  schemaFingerprint: 'f',
  rulesHash: 'r',
  tables: [{ name: 'public.users', data: 'dump', rows: 3, bytes: 10 }],
  dump: { file: 'dump.sql.gz', compression: 'gzip', bytes: 1000, sha256: 'a' },
  durationMs: 1000,
  ...(verified ? { verified } : {}),
})
const now = new Date('2026-11-27T08:00:00Z')
const link = { url: 'https://example.test/x', expiresAt: now }

describe('what a snapshot was verified with, in replies', () => {
  it('/dump latest says restore-tested, leak-scanned', () => {
    const m = manifest({ restore: 'passed', leakScan: 'passed', notes: [] })
    expect(latestReply(m, link, now).text).toContain('1 tables, restore-tested, leak-scanned.')
  })

  it('says what was not done, and "not verified" for snapshots from before the pipeline', () => {
    const skipped = manifest({ restore: 'skipped', leakScan: 'passed', notes: ['no binaries'] })
    expect(latestReply(skipped, link, now).text).toContain('not restore-tested, leak-scanned')
    expect(latestReply(manifest(), link, now).text).toContain('not verified')
  })

  it('/dump status names who runs the job, on which machine, and the next scheduled run', () => {
    const text = statusReply(
      manifest({ restore: 'passed', leakScan: 'passed', notes: [] }),
      {
        running: {
          startedAt: now,
          startedBy: 'schedule',
          host: 'worker-2',
          progress: { tablesDone: 2, tablesTotal: 9, rows: 1200, bytes: 10 },
        },
        last: null,
        nextRun: new Date('2026-11-28T02:00:00Z'),
      },
      now,
    ).text
    expect(text).toContain('restore-tested, leak-scanned')
    expect(text).toContain('started by schedule on worker-2')
    expect(text).toContain('2 of 9 tables')
    expect(text).toContain('Next scheduled run')
  })

  it('the audit channel hears a scheduled run that could not start, and a failure in words', () => {
    expect(
      scheduleBusyPostText({ startedAt: now, startedBy: 'U0LEAD', host: 'bot-1', progress: null }),
    ).toBe(
      'Scheduled snapshot not started: one is already running, started by <@U0LEAD> on bot-1 at 2026-11-27T08:00:00.000Z.',
    )
    expect(
      scheduleEndPostText({ ok: false, reason: 'Leak found in public.users.email.' }),
    ).toContain(
      '*failed*, nothing was published and the previous snapshot stays latest: Leak found',
    )
  })
})

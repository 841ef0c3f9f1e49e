import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { AuditEvent } from '../../src/audit/audit-event.js'
import { auditEventId, recordAudit } from '../../src/audit/record-audit.js'
import { createLocalStorage } from '../../src/storage/local-storage.js'
import { capturedLogger } from '../helpers/captured-logger.js'
import { createWorkdir } from '../helpers/workdir.js'

const work = createWorkdir()
afterAll(() => work.remove())

const event = (): AuditEvent => ({
  id: auditEventId(new Date('2026-11-27T16:00:00Z')),
  time: '2026-11-27T16:00:00.000Z',
  actor: { kind: 'cli', user: 'ops', host: 'laptop' },
  command: 'dumpling link',
  arguments: 'latest',
  decision: { allowed: true },
  snapshotId: '20261127T030000Z-3f9a',
  linkExpiresAt: '2026-11-27T16:03:00.000Z',
})

describe('recordAudit', () => {
  it('stores the event under audit/ and then logs it', async () => {
    const storage = createLocalStorage({
      dir: join(work.dir, 'ok'),
      publicUrl: 'http://x',
      linkSecret: null,
    })
    const { log, lines } = capturedLogger()
    const e = event()
    await recordAudit({ storage, log }, e)
    const stored = JSON.parse(readFileSync(join(work.dir, 'ok', 'audit', `${e.id}.json`), 'utf8'))
    expect(stored).toEqual(e)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ msg: 'audit', audit: e })
  })

  it('fails with audit_failed, and logs no audit line, when the event cannot be stored', async () => {
    const blocker = work.write('not-a-folder', 'a file where the storage folder should be')
    const storage = createLocalStorage({ dir: blocker, publicUrl: 'http://x', linkSecret: null })
    const { log, lines } = capturedLogger()
    await expect(recordAudit({ storage, log }, event())).rejects.toMatchObject({
      code: 'audit_failed',
      message: expect.stringMatching(/no link was made/),
    })
    expect(lines.some((l) => l.msg === 'audit')).toBe(false)
  })
})

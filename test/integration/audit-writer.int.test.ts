import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditEvent } from '../../src/audit/audit-event.js'
import { createAuditWriter } from '../../src/audit/audit-writer.js'
import { auditEventId } from '../../src/audit/record-audit.js'
import { createLocalStorage } from '../../src/storage/local-storage.js'
import { capturedLogger } from '../helpers/captured-logger.js'
import { startS3Server, type TestS3Server } from '../helpers/s3-server.js'
import { createWorkdir } from '../helpers/workdir.js'

const work = createWorkdir()
let s3: TestS3Server
beforeAll(async () => {
  s3 = await startS3Server()
})
afterAll(async () => {
  await s3?.stop()
  work.remove()
})

const storageIn = (dir: string) =>
  createLocalStorage({ dir, publicUrl: 'http://127.0.0.1:0', linkSecret: null })

const events = (n: number, user = 'U0DEV'): AuditEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    id: auditEventId(new Date(Date.UTC(2026, 10, 27, 16, 0, i % 60))),
    time: new Date(Date.UTC(2026, 10, 27, 16, 0, i % 60)).toISOString(),
    actor: { kind: 'slack', team: 'T0ACME', enterprise: null, user, channel: 'C0DEV' },
    command: '/dump',
    arguments: 'latest',
    decision: { allowed: true },
    snapshotId: '20261127T030000Z-3f9a',
    linkExpiresAt: '2026-11-27T16:03:00.000Z',
  }))

/** Every object under a local storage's audit/: its name and the events it holds, one a line. */
function storedObjects(dir: string): { name: string; events: AuditEvent[] }[] {
  const auditDir = join(dir, 'audit')
  if (!existsSync(auditDir)) return []
  return readdirSync(auditDir).map((name) => ({
    name,
    events: readFileSync(join(auditDir, name), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as AuditEvent),
  }))
}

describe('createAuditWriter', () => {
  it('stores events that arrive together in one object, and resolves each only once its own is stored', async () => {
    const dir = join(work.dir, 'together')
    const { log } = capturedLogger()
    const write = createAuditWriter({ storage: storageIn(dir), log })
    const burst = events(50)
    const storedWhenResolved = await Promise.all(
      burst.map((e) =>
        write(e).then(() =>
          storedObjects(dir).some((o) => o.events.some((stored) => stored.id === e.id)),
        ),
      ),
    )
    expect(storedWhenResolved.every(Boolean)).toBe(true)
    const objects = storedObjects(dir)
    // With no write in flight the first waits for the rest of its burst: one object.
    expect(objects.map((o) => o.events.length)).toEqual([50])
    expect(objects.every((o) => o.name === `${o.events[0]?.id}.jsonl`)).toBe(true)
    expect(objects.flatMap((o) => o.events).sort(byId)).toEqual([...burst].sort(byId))
  })

  it('sends events that pile up behind a small write as a second write, never a third', async () => {
    const dir = join(work.dir, 'second-write')
    const { log } = capturedLogger()
    // No gathering: the first event goes at once.
    const write = createAuditWriter({ storage: storageIn(dir), log }, undefined, undefined, 0)
    const burst = events(50)
    await Promise.all(burst.map(write))
    const sizes = storedObjects(dir).map((o) => o.events.length)
    // The first at once; the 8 behind it (at least 8, and twice its 1) beside it; the
    // other 41 once one of the two is stored.
    expect(sizes.sort((a, b) => a - b)).toEqual([1, 8, 41])
    expect(
      storedObjects(dir)
        .flatMap((o) => o.events)
        .sort(byId),
    ).toEqual([...burst].sort(byId))
  })

  it('logs each event once it is stored', async () => {
    const { log, lines } = capturedLogger()
    const write = createAuditWriter({
      storage: storageIn(join(work.dir, 'log')),
      log,
    })
    const burst = events(5)
    await Promise.all(burst.map(write))
    const audited = lines.filter((l) => l.msg === 'audit').map((l) => (l.audit as AuditEvent).id)
    expect(audited.sort()).toEqual(burst.map((e) => e.id).sort())
  })

  it('splits a long queue into objects of at most the given number of events', async () => {
    const dir = join(work.dir, 'split')
    const write = createAuditWriter({ storage: storageIn(dir), log: capturedLogger().log }, 10)
    await Promise.all(events(35).map(write))
    const sizes = storedObjects(dir).map((o) => o.events.length)
    // Gathered, then 10 and a second 10 beside it (25 waited); the next 10 once both are
    // stored (15 are not twice 10), then the last 5.
    expect(sizes.sort((a, b) => a - b)).toEqual([5, 10, 10, 10])
  })

  it('rejects every event of a failed write with audit_failed, and logs none as audited', async () => {
    const dir = join(work.dir, 'broken')
    const storage = storageIn(dir)
    mkdirSync(dir)
    // A file where audit/ should be: the durable write fails (even as root).
    writeFileSync(join(dir, 'audit'), 'not a folder')
    const { log, lines } = capturedLogger()
    const write = createAuditWriter({ storage, log })
    const outcomes = await Promise.allSettled(events(20).map(write))
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true)
    for (const o of outcomes) {
      expect((o as PromiseRejectedResult).reason).toMatchObject({
        code: 'audit_failed',
        message: expect.stringMatching(/audit\/\S+\.jsonl .*no link was made/),
      })
    }
    expect(lines.some((l) => l.msg === 'audit')).toBe(false)
    // The 20 were gathered into one write, which failed once.
    expect(lines.filter((l) => l.msg === 'audit event could not be stored')).toHaveLength(1)
  })

  it('keeps writing when the onWrite callback throws, after telling the callers', async () => {
    const dir = join(work.dir, 'on-write-throws')
    const { log } = capturedLogger()
    const told: number[] = []
    const write = createAuditWriter({ storage: storageIn(dir), log }, undefined, (n) => {
      told.push(n)
      throw new Error('bench recorder broke')
    })
    const both = events(2)
    const [first, second] = both
    await write(first as AuditEvent)
    // Without the fix the loop died with `writing` still set: this never resolved.
    await write(second as AuditEvent)
    expect(told).toEqual([1, 1])
    expect(
      storedObjects(dir)
        .flatMap((o) => o.events)
        .sort(byId),
    ).toEqual([...both].sort(byId))
  })

  it('stores every event of a burst in an S3 bucket, readable back', async () => {
    const write = createAuditWriter({
      storage: s3.storage({ prefix: 'audited/' }),
      log: capturedLogger().log,
    })
    const burst = events(40, 'U0S3')
    await Promise.all(burst.map(write))
    const client = s3.client()
    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: 'dumps', Prefix: 'audited/audit/' }),
    )
    const keys = (listed.Contents ?? []).map((o) => o.Key ?? '')
    expect(keys.length).toBeLessThan(burst.length)
    const stored: AuditEvent[] = []
    for (const key of keys) {
      const res = await client.send(new GetObjectCommand({ Bucket: 'dumps', Key: key }))
      const text = (await res.Body?.transformToString('utf8')) ?? ''
      for (const line of text.split('\n').filter(Boolean)) stored.push(JSON.parse(line))
    }
    expect(stored.sort(byId)).toEqual([...burst].sort(byId))
    client.destroy()
  })
})

function byId(a: AuditEvent, b: AuditEvent): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

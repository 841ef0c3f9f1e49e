import { randomUUID } from 'node:crypto'
import { AppError } from '../errors.js'
import type { Logger } from '../logger.js'
import { compactUtc } from '../snapshot/manifest.js'
import type { SnapshotStorage } from '../storage/storage.js'
import type { AuditEvent } from './audit-event.js'

export interface AuditDeps {
  storage: Pick<SnapshotStorage, 'putAuditObject' | 'describe'>
  log: Logger
}

/**
 * An audit event id that sorts by time: `20261127T160512Z-9f3a1c2b`. The 8 random hex
 * digits come from randomUUID, which draws on a cached pool: randomBytes(4) asked
 * OpenSSL once per event, a measurable share of a command's CPU under load.
 */
export function auditEventId(now: Date): string {
  return `${compactUtc(now)}-${randomUUID().slice(0, 8)}`
}

/** The object name of a single event under audit/: `<id>.json`. */
export function auditObjectName(event: Pick<AuditEvent, 'id'>): string {
  return `${event.id}.json`
}

/**
 * Store the event durably under audit/ FIRST, then log it. If the store fails this
 * throws `audit_failed` and nothing is logged as done: the caller must not hand
 * out a link (design.md, "Audit before link").
 */
export async function recordAudit(deps: AuditDeps, event: AuditEvent): Promise<void> {
  await storeAuditEvents(deps, auditObjectName(event), [event])
}

/**
 * Store events as one object under audit/, JSON Lines (one event a line), then log
 * each. Throws `audit_failed` if the object could not be stored; nothing is logged
 * as done then.
 */
export async function storeAuditEvents(
  deps: AuditDeps,
  name: string,
  events: readonly AuditEvent[],
): Promise<void> {
  try {
    await deps.storage.putAuditObject(name, events.map((e) => `${JSON.stringify(e)}\n`).join(''))
  } catch (err) {
    deps.log.error(
      { err, auditObject: name, events: events.length, commands: commandsOf(events) },
      'audit event could not be stored',
    )
    throw new AppError(
      'audit_failed',
      `The request could not be audited (storing audit/${name} in ${deps.storage.describe()} failed), so no link was made. Fix the storage (dumpling list shows whether it is reachable), then ask again.`,
      { cause: err },
    )
  }
  for (const event of events) deps.log.info({ audit: event }, 'audit')
}

function commandsOf(events: readonly AuditEvent[]): string[] {
  return [...new Set(events.map((e) => e.command))]
}

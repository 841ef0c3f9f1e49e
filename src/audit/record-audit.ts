import { randomBytes } from 'node:crypto'
import { AppError } from '../errors.js'
import type { Logger } from '../logger.js'
import { compactUtc } from '../snapshot/manifest.js'
import type { SnapshotStorage } from '../storage/storage.js'
import type { AuditEvent } from './audit-event.js'

export interface AuditDeps {
  storage: Pick<SnapshotStorage, 'putAuditObject' | 'describe'>
  log: Logger
}

/** An audit event id that sorts by time: `20261127T160512Z-9f3a1c2b`. */
export function auditEventId(now: Date): string {
  return `${compactUtc(now)}-${randomBytes(4).toString('hex')}`
}

/** The object name of an event under audit/: `<id>.json`. */
export function auditObjectName(event: Pick<AuditEvent, 'id'>): string {
  return `${event.id}.json`
}

/**
 * Store the event durably under audit/ FIRST, then log it. If the store fails this
 * throws `audit_failed` and nothing is logged as done: the caller must not hand
 * out a link (design.md, "Audit before link").
 */
export async function recordAudit(deps: AuditDeps, event: AuditEvent): Promise<void> {
  try {
    await deps.storage.putAuditObject(auditObjectName(event), `${JSON.stringify(event)}\n`)
  } catch (err) {
    deps.log.error(
      { err, auditId: event.id, command: event.command },
      'audit event could not be stored',
    )
    throw new AppError(
      'audit_failed',
      `The request could not be audited (storing audit/${auditObjectName(event)} in ${deps.storage.describe()} failed), so no link was made. Fix the storage (dumpling list shows whether it is reachable), then ask again.`,
      { cause: err },
    )
  }
  deps.log.info({ audit: event }, 'audit')
}

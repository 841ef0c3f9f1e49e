import type { AuditEvent } from '../../audit/audit-event.js'
import type { JobOutcome } from '../../jobs/jobs.js'

/** The audit channel's line for one event. It is built from the event alone, which never holds a link. */
export function auditPostText(event: AuditEvent): string {
  const actor =
    event.actor.kind === 'slack'
      ? `<@${event.actor.user}> in <#${event.actor.channel}>`
      : `${event.actor.user}@${event.actor.host}`
  const typed = `\`${event.command}${event.arguments ? ` ${event.arguments}` : ''}\``
  const decision = event.decision.allowed ? 'allowed' : `*denied*: ${event.decision.reason}`
  const link = event.snapshotId
    ? `; link to ${event.snapshotId}${event.linkExpiresAt ? ` until ${event.linkExpiresAt}` : ''}`
    : ''
  return `${actor}: ${typed} ${decision}${link} (audit ${event.id})`
}

export function refreshStartPostText(user: string): string {
  return `Snapshot started by <@${user}>.`
}

export function refreshEndPostText(user: string, outcome: JobOutcome): string {
  return outcome.ok
    ? `Snapshot ${outcome.manifest.id} started by <@${user}> is complete (${outcome.manifest.tables.length} tables).`
    : `Snapshot started by <@${user}> *failed*: ${outcome.reason}`
}

import type { AuditEvent } from '../../audit/audit-event.js'
import type { JobOutcome, RunningJob } from '../../jobs/jobs.js'
import { verificationLabel } from '../../snapshot/verification-label.js'

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

/** A scheduled run that did not start: who holds the job, and since when. */
export function scheduleBusyPostText(running: RunningJob): string {
  const host = running.host ? ` on ${running.host}` : ''
  return `Scheduled snapshot not started: one is already running, started by ${mention(running.startedBy)}${host} at ${running.startedAt.toISOString()}.`
}

export function scheduleEndPostText(outcome: JobOutcome): string {
  return outcome.ok
    ? `Scheduled snapshot ${outcome.manifest.id} is published (${verificationLabel(outcome.manifest)}, ${outcome.manifest.tables.length} tables).`
    : `Scheduled snapshot *failed*, nothing was published and the previous snapshot stays latest: ${outcome.reason}`
}

function mention(startedBy: string): string {
  return /^[UW][A-Z0-9]+$/.test(startedBy) ? `<@${startedBy}>` : startedBy
}

export function refreshStartPostText(user: string): string {
  return `Snapshot started by <@${user}>.`
}

export function refreshEndPostText(user: string, outcome: JobOutcome): string {
  return outcome.ok
    ? `Snapshot ${outcome.manifest.id} started by <@${user}> is complete (${outcome.manifest.tables.length} tables).`
    : `Snapshot started by <@${user}> *failed*: ${outcome.reason}`
}

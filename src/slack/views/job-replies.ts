import type { JobOutcome, JobStatus, RunningJob } from '../../jobs/jobs.js'
import type { Manifest } from '../../snapshot/manifest.js'
import { verificationLabel } from '../../snapshot/verification-label.js'
import { formatAge, formatBytes, formatTime } from './format.js'
import { type Reply, reply } from './replies.js'

export function refreshStartedReply(): Reply {
  return reply('Started a new snapshot. I will tell you here when it is done.')
}

export function refreshRunningReply(job: RunningJob): Reply {
  return reply(
    `A snapshot is already running: ${who(job.startedBy)} started it${job.host ? ` on ${job.host}` : ''} at ${formatTime(job.startedAt)}. ` +
      'I did not start another one; `/dump status` shows its progress.',
  )
}

export function refreshDoneText(outcome: JobOutcome): string {
  if (outcome.ok) {
    const m = outcome.manifest
    return (
      `The snapshot you started is ready: *${m.id}*, ${formatBytes(m.dump.bytes)}, ${m.tables.length} tables, ` +
      `in ${Math.round(m.durationMs / 1000)} s. Get a link with \`/dump latest\`.`
    )
  }
  return `The snapshot you started failed: ${outcome.reason}`
}

export function statusReply(latest: Manifest | null, status: JobStatus, now: Date): Reply {
  const lines = [
    latest
      ? `Newest snapshot: *${latest.id}*, taken ${formatAge(new Date(latest.createdAt), now)}, ` +
        `${formatBytes(latest.dump.bytes)}, ${latest.tables.length} tables, ${verificationLabel(latest)}.`
      : 'There is no snapshot yet.',
  ]
  const job = status.running
  if (job) {
    const p = job.progress
    const progress = p
      ? `: ${p.tablesDone} of ${p.tablesTotal} tables, ${p.rows.toLocaleString('en')} rows so far`
      : ''
    const host = job.host ? ` on ${job.host}` : ''
    lines.push(
      `Running now, started by ${who(job.startedBy)}${host} at ${formatTime(job.startedAt)}${progress}.`,
    )
  } else if (status.last && !status.last.ok) {
    lines.push(`The last run (${formatTime(status.last.finishedAt)}) failed: ${status.last.reason}`)
  }
  lines.push(
    status.nextRun ? `Next scheduled run: ${formatTime(status.nextRun)}.` : 'No scheduled run.',
  )
  return reply(lines.join('\n'))
}

/** A Slack user id becomes a mention; `schedule` stays a word. */
function who(startedBy: string): string {
  return /^[UW][A-Z0-9]+$/.test(startedBy) ? `<@${startedBy}>` : startedBy
}

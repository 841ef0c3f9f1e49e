import type { Manifest } from '../../snapshot/manifest.js'
import { verificationLabel } from '../../snapshot/verification-label.js'
import { formatAge, formatBytes, formatTime } from './format.js'

/** What goes to a command's response_url: always ephemeral, never unfurled (a link must not be fetched by Slack). */
export interface Reply {
  response_type: 'ephemeral'
  text: string
  unfurl_links: false
  unfurl_media: false
  replace_original?: boolean
}

export function reply(text: string): Reply {
  return { response_type: 'ephemeral', text, unfurl_links: false, unfurl_media: false }
}

export function helpReply(unknown: string | null): Reply {
  const lead = unknown === null ? '' : `I did not understand \`/dump ${unknown}\`.\n\n`
  return reply(
    `${lead}*Dumpling* hands out anonymized copies of the production database.\n` +
      '• `/dump latest`: a download link for the newest snapshot, for you only, valid three minutes\n' +
      '• `/dump status`: the newest snapshot and any snapshot in progress\n' +
      '• `/dump refresh`: take a new snapshot now (leads only)\n' +
      '• `/dump help`: this text',
  )
}

export function deniedReply(reason: string): Reply {
  return reply(`Sorry, ${reason}. Ask the team that runs Dumpling if you think this is wrong.`)
}

export function latestReply(
  manifest: Manifest,
  link: { url: string; expiresAt: Date },
  now: Date,
): Reply {
  const created = new Date(manifest.createdAt)
  return reply(
    `*Snapshot ${manifest.id}* of \`${manifest.source.database}\`, taken ${formatAge(created, now)}: ` +
      `${formatBytes(manifest.dump.bytes)}, ${manifest.tables.length} tables, ${verificationLabel(manifest)}.\n` +
      `<${link.url}|Download dump.sql.gz> (this link is yours alone and works until ${formatTime(link.expiresAt)}).\n` +
      'Restore into an empty database:\n' +
      `\`\`\`curl -fsSL '${link.url}' | gunzip -c | psql -v ON_ERROR_STOP=1 -d app_dev\`\`\``,
  )
}

export function noSnapshotReply(): Reply {
  return reply('There is no snapshot yet. A lead can take the first one with `/dump refresh`.')
}

export function rateLimitedReply(limit: number, retryAt: Date): Reply {
  return reply(
    `You have had ${limit} links in the last hour, the most allowed. You can ask again at ${formatTime(retryAt)}.`,
  )
}

export function auditFailedReply(): Reply {
  return reply(
    'Sorry, I could not record this request in the audit log, so I cannot hand out a link. ' +
      'Nothing was shared. Please try again in a minute, and tell the team that runs Dumpling if it keeps failing.',
  )
}

export function failedReply(what: string): Reply {
  return reply(
    `Sorry, ${what} failed. The team that runs Dumpling can find the details in its logs.`,
  )
}

import { hostname, userInfo } from 'node:os'
import type { AuditEvent, CliActor } from '../audit/audit-event.js'
import { auditEventId, recordAudit } from '../audit/record-audit.js'
import { loadConfig } from '../config/load-config.js'
import { createLogger } from '../logger.js'
import { createStorage } from '../storage/create-storage.js'
import { findSnapshot } from '../storage/find-snapshot.js'
import type { Cli } from './cli.js'

export const linkHelp = `Usage: dumpling link [latest|ID] [--config FILE]

Print a download link for a snapshot (default: the newest complete one), valid
for links.expiresIn seconds (default 180). The request is audited under audit/
before the link is printed; if the audit record cannot be stored, no link is made.
The link is a bearer token: give it to one person, never paste it in a channel.`

/** `dumpling link`: an operator's link, audited like a Slack request. */
export async function link(
  cli: Cli,
  args: { config?: string | undefined },
  which = 'latest',
): Promise<number> {
  const config = loadConfig({ path: args.config, env: cli.env })
  const storage = createStorage(config)
  const manifest = await findSnapshot(storage, which)
  const { url, expiresAt } = await storage.createLink(manifest.id, config.links.expiresIn)
  const now = new Date()
  const event: AuditEvent = {
    id: auditEventId(now),
    time: now.toISOString(),
    actor: localActor(),
    command: 'dumpling link',
    arguments: which,
    decision: { allowed: true },
    snapshotId: manifest.id,
    linkExpiresAt: expiresAt.toISOString(),
  }
  // Audit before link: if this throws, the link is dropped unseen.
  await recordAudit({ storage, log: createLogger({ destination: cli.stderr }) }, event)
  cli.stderr.write(
    `Snapshot ${manifest.id} of ${manifest.source.database} (${(manifest.dump.bytes / 1e6).toFixed(1)} MB), link valid until ${expiresAt.toISOString()}. Treat it as a password.\n`,
  )
  cli.stdout.write(`${url}\n`)
  return 0
}

/** The local OS user and host, for the audit record. */
function localActor(): CliActor {
  let user: string
  try {
    user = userInfo().username
  } catch {
    user = `uid ${process.getuid?.() ?? 'unknown'}`
  }
  return { kind: 'cli', user, host: hostname() }
}

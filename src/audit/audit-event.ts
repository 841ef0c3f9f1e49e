/**
 * One record per request that could hand out data: a Slack command, or an
 * operator's `dumpling link`. It never holds a link, token or row value.
 */
export interface AuditEvent {
  /** Unique per event; also the object name under audit/. */
  id: string
  /** ISO 8601, UTC. */
  time: string
  actor: SlackActor | CliActor
  /** `/dump`, or `dumpling link` for operators. */
  command: string
  /** The command's arguments as typed, e.g. `latest`. */
  arguments: string
  decision: { allowed: true } | { allowed: false; reason: string }
  /** The snapshot a link was made for, if any. */
  snapshotId: string | null
  /** When that link expires (ISO 8601), if one was made. Never the link itself. */
  linkExpiresAt: string | null
}

export interface SlackActor {
  kind: 'slack'
  team: string | null
  enterprise: string | null
  user: string
  channel: string
}

export interface CliActor {
  kind: 'cli'
  /** The local OS user name and host that ran the command. */
  user: string
  host: string
}

import { isIP } from 'node:net'
import { AppError } from '../errors.js'

/** Where a restore goes, from `--target URL`; never holds the password. */
export interface Target {
  /** A host name, an IP address, or a Unix socket folder (starts with `/`). */
  host: string
  port: number
  database: string
}

/** Databases no restore may replace, whatever the config says. */
export const alwaysProtected = ['postgres', 'template0', 'template1'] as const

/** PostgreSQL truncates longer names (NAMEDATALEN - 1 bytes). */
const maxNameBytes = 63

/** Read `--target`: a `postgres://` URL naming the database to replace. */
export function parseTarget(url: string): Target {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new AppError(
      'usage',
      '--target is not a URL. Write it as postgres://[user@]host[:port]/database, e.g. postgres://localhost/app_dev.',
    )
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new AppError(
      'usage',
      `--target must be a postgres:// URL, not ${u.protocol}//…. Example: postgres://localhost/app_dev.`,
    )
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''))
  if (!database) {
    throw new AppError(
      'usage',
      '--target names no database. Add it to the URL: postgres://localhost/app_dev.',
    )
  }
  const host = u.searchParams.get('host') || decodeURIComponent(u.hostname) || '/var/run/postgresql'
  return { host: host.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port || 5432), database }
}

/** `host:port/database` for messages. */
export function describeTarget(target: Target): string {
  return `${target.host}:${target.port}/${target.database}`
}

/** localhost, 127.0.0.0/8, ::1 (also as ::ffff:127.x) or a Unix socket folder. */
export function isLocalHost(host: string): boolean {
  const h = host.toLowerCase()
  if (h.startsWith('/') || h === 'localhost') return true
  if (isIP(h) === 4) return h.startsWith('127.')
  if (isIP(h) === 6) {
    // The URL parser writes every spelling of an IPv6 address the same way.
    const canonical = new URL(`http://[${h}]/`).hostname
    return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:/.test(canonical)
  }
  return false
}

export interface TargetPolicy {
  /** `restore.allowedTargets`: non-local hosts a restore may go to. */
  allowedTargets: readonly string[]
  /** `restore.protectedDatabases`: names a restore must never replace. */
  protectedDatabases: readonly string[]
}

/**
 * The checks that need nothing but the target URL and the config: the host
 * must be local or allowed, the name must not be protected, and the names
 * the restore makes from it must fit PostgreSQL's limit.
 */
export function checkTarget(target: Target, policy: TargetPolicy): void {
  const allowed = policy.allowedTargets.map((h) => h.toLowerCase().replace(/^\[(.*)\]$/, '$1'))
  if (!isLocalHost(target.host) && !allowed.includes(target.host.toLowerCase())) {
    throw new AppError(
      'restore_refused',
      `Refusing to restore into ${describeTarget(target)}: ${target.host} is not this machine. Restore only replaces databases on localhost, 127.0.0.0/8, ::1 or a Unix socket. If ${target.host} is a development or staging server, add it to restore.allowedTargets in dumpling.yml.`,
    )
  }
  const protectedNames = [...alwaysProtected, ...policy.protectedDatabases]
  if (protectedNames.includes(target.database)) {
    throw new AppError(
      'restore_refused',
      `Refusing to restore into ${describeTarget(target)}: "${target.database}" is a protected database (${policy.protectedDatabases.includes(target.database) ? 'restore.protectedDatabases in dumpling.yml' : 'a PostgreSQL system database'}). Choose another --target database.`,
    )
  }
  const longest = previousName(target.database, 'x'.repeat(21))
  if (Buffer.byteLength(longest.scratch) > maxNameBytes) {
    throw new AppError(
      'usage',
      `The target database name "${target.database}" is too long: the restore first loads into "${longest.scratch}", which passes PostgreSQL's ${maxNameBytes}-byte limit. Use a name of at most ${maxNameBytes - Buffer.byteLength(longest.scratch) + Buffer.byteLength(target.database)} bytes.`,
    )
  }
}

/** The database a restore loads into first, and the one the old database becomes. */
export function previousName(
  database: string,
  snapshotId: string,
): { scratch: string; previous: string } {
  return { scratch: `${database}__dumpling_${snapshotId}`, previous: `${database}__previous` }
}

/**
 * The target must not be the server the snapshot came from, nor one of its
 * physical replicas: they share its system identifier.
 */
export function checkSourceIdentity(
  target: Target,
  targetIdentifier: string,
  sourceIdentifier: string | null,
): void {
  if (sourceIdentifier !== null && targetIdentifier === sourceIdentifier) {
    throw new AppError(
      'restore_refused',
      `REFUSED: ${describeTarget(target)} is on the server the snapshot was taken from, or on one of its replicas (the same system identifier ${targetIdentifier}). That is production: nothing was changed. Restore into a development database on another server.`,
    )
  }
}

/** An open session on a database the restore must rename or drop. */
export interface OpenSession {
  pid: number
  database: string
  user: string
  application: string
  client: string
}

/** Refuse while sessions are open, naming them, unless `--force-disconnect` ends them. */
export function checkSessions(sessions: OpenSession[], forceDisconnect: boolean): void {
  if (sessions.length === 0 || forceDisconnect) return
  const lines = sessions.map(
    (s) =>
      `  pid ${s.pid} on ${s.database}: user ${s.user}, ${s.application ? `application "${s.application}"` : 'no application name'}, from ${s.client}`,
  )
  throw new AppError(
    'target_busy',
    `${sessions.length} session${sessions.length === 1 ? ' is' : 's are'} connected to the database the restore would replace:\n${lines.join('\n')}\nClose them (stop the app server, quit psql), or pass --force-disconnect to end them. Nothing was changed.`,
  )
}

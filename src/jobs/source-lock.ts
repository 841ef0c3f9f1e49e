import { hostname } from 'node:os'
import type pg from 'pg'
import { connectSource } from '../db/connect.js'
import { AppError } from '../errors.js'
import { compactUtc } from '../snapshot/manifest.js'

/**
 * The advisory lock that makes snapshots single-flight across processes and
 * machines: `pg_try_advisory_lock(classid, objid)` on the source, in a read-only
 * session. It needs no write permission and goes away with its session, so a
 * crashed runner never leaves it behind. Keys: 'dump' in ASCII, then 1 (snapshot).
 */
export const lockKeys: [number, number] = [0x64756d70, 1]

/** Who holds the lock, as their session tells it (no write on the source needed). */
export interface LockHolder {
  /** `schedule@host-1`, a Slack user id, or `cli:alice@laptop`. */
  who: string
  since: Date
}

export interface SourceLock {
  /** Aborted when the lock's session is lost (the lock is gone with it). */
  readonly lost: AbortSignal
  release(): Promise<void>
}

export type LockResult = { ok: true; lock: SourceLock } | { ok: false; holder: LockHolder | null }

const prefix = 'dumpling-job'

/**
 * `dumpling-job 20261127T030000Z schedule@host`: the holder's name and start,
 * carried in application_name, which pg_stat_activity shows to every role.
 * PostgreSQL keeps 63 bytes of it; anything but printable ASCII becomes `?`.
 */
export function lockApplicationName(who: string, since: Date): string {
  return `${prefix} ${compactUtc(since)} ${who}`.replace(/[^\x20-\x7e]/g, '?').slice(0, 63)
}

export function parseApplicationName(name: string): LockHolder | null {
  const m = /^dumpling-job (\d{8}T\d{6}Z) (.*)$/.exec(name)
  if (!m?.[1]) return null
  const t = m[1]
  const since = new Date(
    `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:${t.slice(13, 15)}Z`,
  )
  return { who: m[2] ?? '', since }
}

/** Take the lock for `startedBy` now, or learn who holds it. Never waits for it. */
export async function tryLockSource(
  url: string,
  startedBy: string,
  now = new Date(),
): Promise<LockResult> {
  const who = `${startedBy}@${hostname()}`
  const client = await connectSource(url, lockApplicationName(who, now))
  try {
    const { rows } = await client.query<{ ok: boolean }>(
      'SELECT pg_try_advisory_lock($1, $2) AS ok',
      lockKeys,
    )
    if (rows[0]?.ok) return { ok: true, lock: holdLock(client) }
    const holder = await findHolder(client)
    await client.end().catch(() => {})
    return { ok: false, holder }
  } catch (err) {
    await client.end().catch(() => {})
    throw err
  }
}

/** The holder's session: its application_name, else its user and backend_start. */
async function findHolder(client: pg.Client): Promise<LockHolder | null> {
  const { rows } = await client.query<{
    application_name: string | null
    usename: string | null
    backend_start: Date | null
  }>(
    `SELECT a.application_name, a.usename, a.backend_start
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
        AND l.classid = $1::int::oid AND l.objid = $2::int::oid
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    lockKeys,
  )
  const row = rows[0]
  if (!row) return null
  const parsed = row.application_name ? parseApplicationName(row.application_name) : null
  if (parsed) return parsed
  return {
    who: row.application_name || row.usename || 'another session',
    since: row.backend_start ?? new Date(),
  }
}

function holdLock(client: pg.Client): SourceLock {
  const lost = new AbortController()
  let released = false
  const onLost = () => {
    if (!released) lost.abort(new Error('the lock session on the source was lost'))
  }
  client.on('error', onLost)
  client.on('end', onLost)
  return {
    lost: lost.signal,
    async release() {
      if (released) return
      released = true
      // Ending the session releases the lock even if the unlock query cannot run.
      await client.query('SELECT pg_advisory_unlock($1, $2)', lockKeys).catch(() => {})
      await client.end().catch(() => {})
    },
  }
}

/** The refusal of a second run: who holds the lock, and since when. */
export function jobRunningError(holder: LockHolder | null): AppError {
  const who = holder
    ? `${holder.who} has been running one since ${holder.since.toISOString()}`
    : 'another process holds the job lock on the source'
  return new AppError(
    'job_running',
    `A snapshot is already running: ${who}. Only one runs at a time; this one was not started. \`/dump status\` shows its progress.`,
  )
}

/**
 * Run `fn` holding the job lock (`dumpling snapshot --output`, which has no
 * storage and so no publish pipeline); `fn`'s signal aborts if the lock is lost.
 */
export async function withSourceLock<T>(
  url: string,
  startedBy: string,
  fn: (lost: AbortSignal) => Promise<T>,
): Promise<T> {
  const locked = await tryLockSource(url, startedBy)
  if (!locked.ok) throw jobRunningError(locked.holder)
  try {
    return await fn(locked.lock.lost)
  } finally {
    await locked.lock.release()
  }
}

import pg from 'pg'
import { describeUrl } from '../db/connect.js'
import { quoteIdent } from '../db/sql-names.js'
import { AppError } from '../errors.js'
import type { OpenSession, Target } from './guards.js'

/** The target URL with another database: the maintenance database, or the scratch one. */
export function urlFor(targetUrl: string, database: string): string {
  const u = new URL(targetUrl)
  u.pathname = `/${encodeURIComponent(database)}`
  return u.toString()
}

/** Settings for loading sessions: a lost commit only loses a database we would drop anyway. */
const loadOptions = ['synchronous_commit=off', 'maintenance_work_mem=128MB']
  .map((o) => `-c ${o}`)
  .join(' ')

/** Connect to a database of the target server; `load` sessions trade durability for speed. */
export async function connectTarget(
  targetUrl: string,
  database: string,
  options: { load?: boolean; role?: string | undefined } = {},
): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: urlFor(targetUrl, database),
    application_name: 'dumpling-restore',
    ...(options.load ? { options: loadOptions } : {}),
  })
  // A lost connection fails the query in flight, which reports it.
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (err) {
    await client.end().catch(() => {})
    throw new AppError(
      'target_unreachable',
      `Cannot connect to the target server at ${describeUrl(urlFor(targetUrl, database))}: ${(err as Error).message}. Check --target and that PostgreSQL is running there.`,
      { cause: err },
    )
  }
  if (options.role) await client.query(`SET ROLE ${quoteIdent(options.role)}`)
  return client
}

/** Open a session on the maintenance database (`postgres`, else `template1`). */
export async function connectMaintenance(targetUrl: string): Promise<pg.Client> {
  try {
    return await connectTarget(targetUrl, 'postgres')
  } catch (err) {
    if (/does not exist/.test(String((err as Error).cause))) {
      return connectTarget(targetUrl, 'template1')
    }
    throw err
  }
}

/** What the guards need to know about the target server. */
export interface TargetFacts {
  systemIdentifier: string
  serverVersionNum: number
  currentUser: string
  exists: boolean
  roleExists: boolean
}

export async function readTargetFacts(
  admin: pg.Client,
  target: Target,
  owner: string | undefined,
): Promise<TargetFacts> {
  try {
    const { rows } = await admin.query<{
      id: string
      version: number
      user: string
      exists: boolean
      role_exists: boolean
    }>(
      `SELECT (SELECT system_identifier::text FROM pg_control_system()) AS id,
              current_setting('server_version_num')::int AS version,
              current_user AS "user",
              EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists,
              EXISTS (SELECT 1 FROM pg_roles WHERE rolname = coalesce($2, current_user)) AS role_exists`,
      [target.database, owner ?? null],
    )
    const row = rows[0]
    if (!row) throw new Error('no row')
    return {
      systemIdentifier: row.id,
      serverVersionNum: row.version,
      currentUser: row.user,
      exists: row.exists,
      roleExists: row.role_exists,
    }
  } catch (err) {
    throw new AppError(
      'target_unreachable',
      `Cannot read the target server's identity (pg_control_system()): ${(err as Error).message}. The restore needs it to tell the target from production; nothing was changed.`,
      { cause: err },
    )
  }
}

/** Sessions other than ours on the given databases. */
export async function openSessions(admin: pg.Client, databases: string[]): Promise<OpenSession[]> {
  const { rows } = await admin.query<{
    pid: number
    datname: string
    usename: string | null
    application_name: string
    client: string | null
  }>(
    `SELECT pid, datname, usename, application_name,
            coalesce(host(client_addr), CASE WHEN client_port = -1 THEN 'a Unix socket' END) AS client
       FROM pg_stat_activity
      WHERE datname = ANY($1) AND pid <> pg_backend_pid()
      ORDER BY datname, pid`,
    [databases],
  )
  return rows.map((r) => ({
    pid: r.pid,
    database: r.datname,
    user: r.usename ?? '?',
    application: r.application_name,
    client: r.client ?? 'this server (a background process)',
  }))
}

/** End those sessions (`--force-disconnect`). */
export async function endSessions(admin: pg.Client, sessions: OpenSession[]): Promise<void> {
  if (sessions.length === 0) return
  await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [
    sessions.map((s) => s.pid),
  ])
}

/** Drop a database, ending any session on it first. */
export async function dropDatabase(admin: pg.Client, name: string): Promise<void> {
  await admin.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [name],
  )
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`)
}

/** Extensions a dump creates that the target server cannot provide. */
export async function missingExtensions(admin: pg.Client, names: string[]): Promise<string[]> {
  if (names.length === 0) return []
  const { rows } = await admin.query<{ name: string }>(
    'SELECT name FROM pg_available_extensions WHERE name = ANY($1)',
    [names],
  )
  const available = new Set(rows.map((r) => r.name))
  return names.filter((n) => !available.has(n))
}

import pg from 'pg'
import { AppError } from '../errors.js'

/**
 * Settings every source session starts with. Read-only by construction, and
 * fixed text formats so COPY output parses the same on every server.
 */
export const sourceSessionOptions = [
  'default_transaction_read_only=on',
  'DateStyle=ISO',
  'TimeZone=UTC',
  'IntervalStyle=postgres',
  'extra_float_digits=3',
  'bytea_output=hex',
  'statement_timeout=0',
  'idle_in_transaction_session_timeout=0',
]
  .map((o) => `-c ${o}`)
  .join(' ')

/** Where a URL points, for messages: host, port and database, never the user or password. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url)
    const host = u.hostname || u.searchParams.get('host') || 'localhost'
    return `${host}${u.port ? `:${u.port}` : ''}${u.pathname || '/'}`
  } catch {
    return '(unparsable URL)'
  }
}

/**
 * Open a read-only session on the source. Every write in it fails on the server.
 * `applicationName` shows in pg_stat_activity (the job lock uses it to say who holds it).
 */
export async function connectSource(url: string, applicationName = 'dumpling'): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: url,
    application_name: applicationName,
    options: sourceSessionOptions,
  })
  // A connection lost while idle (the server restarted, a terminated backend)
  // is emitted as an 'error' event; without a listener it would crash the
  // process. The query that needs the connection next fails with its own error,
  // which is reported where it happens.
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (err) {
    throw new AppError(
      'source_unreachable',
      `Cannot connect to the source database at ${describeUrl(url)}: ${(err as Error).message}. Check DUMPLING_SOURCE_URL.`,
      { cause: err },
    )
  }
  return client
}

/** Run `fn` with a read-only source session that is always closed afterwards. */
export async function withSource<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = await connectSource(url)
  try {
    return await fn(client)
  } finally {
    await client.end().catch(() => {})
  }
}

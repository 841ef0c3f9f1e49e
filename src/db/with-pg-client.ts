import pg from 'pg'

/**
 * Run `fn` with a plain connected client that is always closed afterwards: for
 * servers Dumpling owns (throwaway clusters, test and bench databases). The
 * production source is opened with `withSource` instead, read-only.
 */
export async function withPgClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
  applicationName = 'dumpling-admin',
): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName })
  // A lost connection also fails the query in flight, which is where it is reported.
  client.on('error', () => {})
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

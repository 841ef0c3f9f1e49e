import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { TestProject } from 'vitest/node'
import { findPgProgram } from '../../src/db/find-pg-bin.js'
import { startCluster } from '../../src/db/throwaway-cluster.js'
import { withPgClient } from '../../src/db/with-pg-client.js'
import type { TestServer } from '../helpers/databases.js'

const execFileAsync = promisify(execFile)

/**
 * One throwaway PostgreSQL cluster per test run, with the fixture loaded once
 * into a template database that test files clone (test/helpers/databases.ts).
 * With TEST_DATABASE_URL (a role that may CREATE DATABASE) that server is used
 * instead, and every database this run made is dropped at the end.
 */
export default async function setup({
  provide,
}: Pick<TestProject, 'provide'>): Promise<() => Promise<void>> {
  const databasePrefix = `dumpling_${randomBytes(3).toString('hex')}_`
  const external = process.env.TEST_DATABASE_URL
  const server = external
    ? await useServer(external, databasePrefix)
    : await useThrowawayCluster(databasePrefix)
  try {
    await loadFixture(server.info)
  } catch (err) {
    await server.stop()
    throw err
  }
  provide('pg', server.info)
  return server.stop
}

interface RunningServer {
  info: TestServer
  stop(): Promise<void>
}

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url))

async function useThrowawayCluster(databasePrefix: string): Promise<RunningServer> {
  const cluster = await startCluster().catch((err: Error) => {
    throw new Error(
      `${err.message} Or set TEST_DATABASE_URL to a server where you may CREATE DATABASE.`,
      { cause: err },
    )
  })
  return {
    info: {
      adminUrl: cluster.adminUrl,
      fixtureDatabase: 'dumpling_fixture',
      pgBin: cluster.pgBin,
      databasePrefix,
      serverVersion: cluster.serverVersion,
    },
    stop: cluster.stop,
  }
}

async function useServer(url: string, databasePrefix: string): Promise<RunningServer> {
  const psql = findPgProgram('psql')
  if (!psql) {
    throw new Error(
      "PostgreSQL's psql was not found (looked in PG_BIN, pg_config --bindir, /usr/lib/postgresql/*/bin, PATH). " +
        'Install the client: apt-get install postgresql-client.',
    )
  }
  const serverVersion = await withPgClient(url, async (c) => {
    const { rows } = await c.query("SELECT current_setting('server_version_num')::int AS v")
    return rows[0].v as number
  })
  const stop = async () => {
    await withPgClient(url, async (c) => {
      const { rows } = await c.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
        [databasePrefix],
      )
      for (const { datname } of rows) {
        await c.query(`ALTER DATABASE ${quoteIdent(datname)} WITH IS_TEMPLATE false`)
        await c.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [datname],
        )
        await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)}`)
      }
    })
  }
  return {
    info: {
      adminUrl: url,
      fixtureDatabase: `${databasePrefix}fixture`,
      pgBin: dirname(psql),
      databasePrefix,
      serverVersion,
    },
    stop,
  }
}

async function loadFixture(info: TestServer): Promise<void> {
  const name = quoteIdent(info.fixtureDatabase)
  await withPgClient(info.adminUrl, (c) =>
    c.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`),
  )
  const url = new URL(info.adminUrl)
  url.pathname = `/${encodeURIComponent(info.fixtureDatabase)}`
  // execFile's error message carries psql's stderr.
  await execFileAsync(join(info.pgBin, 'psql'), [
    '-X',
    '-q',
    '-v',
    'ON_ERROR_STOP=1',
    '-o',
    '/dev/null',
    '-d',
    url.toString(),
    '-f',
    join(fixtures, 'schema.sql'),
    '-f',
    join(fixtures, 'seed.sql'),
  ])
  // A connection to a template makes every clone fail: allow none.
  await withPgClient(info.adminUrl, (c) =>
    c.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`),
  )
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

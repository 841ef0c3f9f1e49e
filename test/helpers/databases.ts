import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import type pg from 'pg'
import { inject } from 'vitest'
import { withPgClient } from '../../src/db/with-pg-client.js'

/** The throwaway PostgreSQL server of this test run, provided by test/integration/global-setup.ts. */
export interface TestServer {
  /** Superuser URL of the maintenance database, for CREATE and DROP DATABASE. */
  adminUrl: string
  /** Template database with test/fixtures/schema.sql and seed.sql loaded. Clone it; it takes no connections. */
  fixtureDatabase: string
  /** Folder holding psql and pg_dump of the server's version. */
  pgBin: string
  /** Every database this run creates starts with it; teardown drops them on a shared server. */
  databasePrefix: string
  /** `server_version_num`, e.g. 150018. */
  serverVersion: number
}

declare module 'vitest' {
  export interface ProvidedContext {
    pg: TestServer
  }
}

/** A database of its own for one test file. */
export interface TestDatabase {
  name: string
  /** `postgres://postgres@127.0.0.1:PORT/name`: works for `pg` and for psql/pg_dump. */
  url: string
  /** Run one statement on a fresh connection and return its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>
  /** Run `fn` with a connected client that is always released. */
  withClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T>
  /** Drop the database, ending any connection still open to it. */
  drop(): Promise<void>
}

export function testServer(): TestServer {
  return inject('pg')
}

/** Clone the fixture (default) or create an empty UTF8 database from template0. */
export async function createDatabase(
  options: { from?: 'fixture' | 'empty' } = {},
): Promise<TestDatabase> {
  const server = testServer()
  const name = `${server.databasePrefix}${randomBytes(5).toString('hex')}`
  const template = options.from === 'empty' ? 'template0' : server.fixtureDatabase
  await withPgClient(server.adminUrl, (c) =>
    c.query(`CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(template)} ENCODING 'UTF8'`),
  )
  const url = databaseUrl(server.adminUrl, name)
  return {
    name,
    url,
    query: async <T>(sql: string, params?: unknown[]) =>
      withPgClient(url, async (c) => (await c.query(sql, params)).rows as T[]),
    withClient: (fn) => withPgClient(url, fn),
    drop: () => dropDatabase(server, name),
  }
}

/**
 * Restore a gzipped plain-SQL dump the way a developer would:
 * `gunzip -c FILE | psql -X -q -v ON_ERROR_STOP=1 -d URL`. A failing statement
 * gives a non-zero code and psql's message in `stderr`; an unreadable file throws.
 */
export async function restoreDump(
  gzPath: string,
  db: Pick<TestDatabase, 'url'>,
): Promise<{ code: number; stderr: string }> {
  const psql = join(testServer().pgBin, 'psql')
  const child = spawn(psql, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', db.url], {
    stdio: ['pipe', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) => resolve(code ?? 1))
  })
  try {
    await pipeline(createReadStream(gzPath), createGunzip(), child.stdin)
  } catch (err) {
    // psql stopping at an error closes its stdin under us: its code tells the story.
    const code = await exited
    if (code !== 0) return { code, stderr }
    throw new Error(`Restoring ${gzPath} failed: the file could not be read`, { cause: err })
  }
  return { code: await exited, stderr }
}

async function dropDatabase(server: TestServer, name: string): Promise<void> {
  await withPgClient(server.adminUrl, async (c) => {
    if (server.serverVersion >= 130000) {
      await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`)
      return
    }
    await c.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    )
    await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`)
  })
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl)
  url.pathname = `/${encodeURIComponent(name)}`
  return url.toString()
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

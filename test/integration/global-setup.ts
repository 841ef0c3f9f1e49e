import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { findPgProgram } from '../../src/db/find-pg-bin.js'
import type { TestServer } from '../helpers/databases.js'

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
    : await startCluster(databasePrefix)
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

/** The user initdb, pg_ctl and postgres run as: they refuse to run as root. */
interface Owner {
  uid: number
  gid: number
}

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url))

async function startCluster(databasePrefix: string): Promise<RunningServer> {
  const initdb = requireProgram('initdb')
  const pgCtl = requireProgram('pg_ctl')
  const psql = requireProgram('psql')
  const dir = await mkdtemp(join(tmpdir(), 'dumpling-pg-'))
  const data = join(dir, 'data')
  const owner = process.getuid?.() === 0 ? unprivilegedOwner() : undefined
  const options = { cwd: dir, owner }

  let stopped = false
  const stopNow = () => {
    if (stopped) return
    stopped = true
    try {
      execFileSync(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], {
        cwd: dir,
        stdio: 'ignore',
        ...owner,
      })
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true })
  }
  // If the run is interrupted before teardown, do not leave a server behind.
  process.once('exit', stopNow)
  const stop = async () => {
    if (stopped) return
    stopped = true
    process.off('exit', stopNow)
    await run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], options).catch(() => {})
    await rm(dir, { recursive: true, force: true })
  }

  try {
    if (owner) await chown(dir, owner.uid, owner.gid)
    await initCluster(initdb, data, options)
    const port = await startPostgres(pgCtl, dir, data, options)
    const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`
    const serverVersion = await withClient(adminUrl, async (c) => {
      const { rows } = await c.query("SELECT current_setting('server_version_num')::int AS v")
      return rows[0].v as number
    })
    return {
      info: {
        adminUrl,
        fixtureDatabase: 'dumpling_fixture',
        pgBin: dirname(psql),
        databasePrefix,
        serverVersion,
      },
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}

async function initCluster(initdb: string, data: string, options: RunOptions): Promise<void> {
  const args = ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']
  try {
    await run(initdb, [...args, '--locale=C.UTF-8'], options)
  } catch {
    // No C.UTF-8 locale on this machine: the C locale does as well for tests.
    await run(initdb, [...args, '--no-locale'], options)
  }
}

/** Start on a free port; another process may take the port first, so try a few. */
async function startPostgres(
  pgCtl: string,
  dir: string,
  data: string,
  options: RunOptions,
): Promise<number> {
  const log = join(dir, 'postgres.log')
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const serverOptions = [
      `-p ${port}`,
      '-h 127.0.0.1',
      `-k '${dir}'`,
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
      '-c TimeZone=UTC',
    ].join(' ')
    try {
      await run(
        pgCtl,
        ['-D', data, '-l', log, '-w', '-t', '60', '-o', serverOptions, 'start'],
        options,
      )
      return port
    } catch (err) {
      const logText = await readFile(log, 'utf8').catch(() => '')
      if (attempt < 3 && logText.includes('could not bind')) continue
      throw new Error(`PostgreSQL did not start. Its log:\n${logText.trim()}`, { cause: err })
    }
  }
}

async function useServer(url: string, databasePrefix: string): Promise<RunningServer> {
  const psql = requireProgram('psql')
  const serverVersion = await withClient(url, async (c) => {
    const { rows } = await c.query("SELECT current_setting('server_version_num')::int AS v")
    return rows[0].v as number
  })
  const stop = async () => {
    await withClient(url, async (c) => {
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
  await withClient(info.adminUrl, (c) =>
    c.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`),
  )
  const url = new URL(info.adminUrl)
  url.pathname = `/${encodeURIComponent(info.fixtureDatabase)}`
  await run(join(info.pgBin, 'psql'), [
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
  await withClient(info.adminUrl, (c) =>
    c.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`),
  )
}

function requireProgram(name: string): string {
  const path = findPgProgram(name)
  if (path) return path
  throw new Error(
    `PostgreSQL's ${name} was not found (looked in PG_BIN, pg_config --bindir, /usr/lib/postgresql/*/bin, PATH). ` +
      'Install the server: apt-get install postgresql. Or set TEST_DATABASE_URL to a server where you may CREATE DATABASE.',
  )
}

function unprivilegedOwner(): Owner {
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim())
    return { uid: id('-u'), gid: id('-g') }
  } catch (err) {
    throw new Error(
      'Running as root, and initdb refuses to: no "nobody" user to run PostgreSQL as. ' +
        'Run the tests as another user or set TEST_DATABASE_URL.',
      { cause: err },
    )
  }
}

interface RunOptions {
  cwd?: string
  owner?: Owner | undefined
}

/** Run a program to completion; reject with its output when it fails. */
function run(cmd: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...options.owner,
    })
    let output = ''
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8')
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(output)
      else reject(new Error(`${basename(cmd)} exited with code ${code}:\n${output.trim()}`))
    })
  })
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

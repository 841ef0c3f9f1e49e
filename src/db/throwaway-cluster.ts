import { execFileSync, spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises'
import { type AddressInfo, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { findPgProgram } from './find-pg-bin.js'
import { withPgClient } from './with-pg-client.js'

/** A PostgreSQL server of its own in a temporary folder, gone after `stop()`. */
export interface ThrowawayCluster {
  /** Superuser URL of the `postgres` maintenance database. */
  adminUrl: string
  /** Superuser URL of another database on this server. */
  url(database: string): string
  /** Folder of the server's programs: psql and pg_dump of the same version. */
  pgBin: string
  port: number
  /** `server_version_num`, e.g. 150018. */
  serverVersion: number
  /** Stop the server and remove its folder. Safe to call more than once. */
  stop(): Promise<void>
}

export interface StartClusterOptions {
  /** Progress lines ("initdb…", "PostgreSQL 15.18 on port 5433"). */
  log?: (message: string) => void
  /**
   * Server settings added to (or overriding) the defaults. The defaults trade
   * durability for speed: fsync, synchronous_commit and full_page_writes are off.
   */
  settings?: Record<string, string | number>
}

/** Durability is worth nothing for a server that is thrown away. */
const defaultSettings: Record<string, string | number> = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: 200,
  TimeZone: 'UTC',
}

/** The user initdb, pg_ctl and postgres run as: they refuse to run as root. */
interface Owner {
  uid: number
  gid: number
}

interface RunOptions {
  cwd?: string
  owner?: Owner | undefined
}

/**
 * Start a throwaway cluster on a free port of 127.0.0.1, trusting local
 * connections as `postgres`. When this process runs as root, the server runs
 * as `nobody`. If the process exits without `stop()`, the server is stopped
 * and its folder removed on the way out.
 */
export async function startCluster(options: StartClusterOptions = {}): Promise<ThrowawayCluster> {
  const log = options.log ?? (() => {})
  const initdb = requireProgram('initdb')
  const pgCtl = requireProgram('pg_ctl')
  const dir = await mkdtemp(join(tmpdir(), 'dumpling-pg-'))
  const data = join(dir, 'data')
  const owner = process.getuid?.() === 0 ? unprivilegedOwner() : undefined
  const runOptions = { cwd: dir, owner }

  let stopping: Promise<void> | null = null
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
  // If the process ends before stop() has finished (or was called), do not
  // leave a server behind: an interrupted stop() is completed here, synchronously.
  process.once('exit', stopNow)
  const stop = () => {
    stopping ??= (async () => {
      await run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], runOptions).catch(() => {})
      await rm(dir, { recursive: true, force: true })
      stopped = true
      process.off('exit', stopNow)
    })()
    return stopping
  }

  try {
    if (owner) await chown(dir, owner.uid, owner.gid)
    log(`initdb in ${dir}${owner ? ' (as nobody)' : ''}…`)
    await initCluster(initdb, data, runOptions)
    const settings = { ...defaultSettings, ...options.settings }
    const port = await startPostgres(pgCtl, dir, data, settings, runOptions)
    const url = (database: string) =>
      `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`
    const adminUrl = url('postgres')
    const { version, versionNum } = await serverVersion(adminUrl)
    log(`PostgreSQL ${version} on port ${port}`)
    return { adminUrl, url, pgBin: dirname(initdb), port, serverVersion: versionNum, stop }
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
    // No C.UTF-8 locale on this machine: the C locale does as well for a throwaway server.
    await run(initdb, [...args, '--no-locale'], options)
  }
}

/** Start on a free port; another process may take the port first, so try a few. */
async function startPostgres(
  pgCtl: string,
  dir: string,
  data: string,
  settings: Record<string, string | number>,
  options: RunOptions,
): Promise<number> {
  const logFile = join(dir, 'postgres.log')
  const extra = Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`)
  for (let attempt = 1; ; attempt++) {
    const port = await freePort()
    const serverOptions = [`-p ${port}`, '-h 127.0.0.1', `-k '${dir}'`, ...extra].join(' ')
    try {
      await run(
        pgCtl,
        ['-D', data, '-l', logFile, '-w', '-t', '60', '-o', serverOptions, 'start'],
        options,
      )
      return port
    } catch (err) {
      const logText = await readFile(logFile, 'utf8').catch(() => '')
      if (attempt < 3 && logText.includes('could not bind')) continue
      throw new Error(`PostgreSQL did not start. Its log:\n${logText.trim()}`, { cause: err })
    }
  }
}

async function serverVersion(url: string): Promise<{ version: string; versionNum: number }> {
  return withPgClient(url, async (client) => {
    const { rows } = await client.query<{ v: string; n: number }>(
      "SELECT current_setting('server_version') AS v, current_setting('server_version_num')::int AS n",
    )
    return { version: rows[0]?.v ?? '?', versionNum: rows[0]?.n ?? 0 }
  })
}

function requireProgram(name: string): string {
  const path = findPgProgram(name)
  if (path) return path
  throw new Error(
    `PostgreSQL's ${name} was not found (looked in PG_BIN, pg_config --bindir, /usr/lib/postgresql/*/bin, PATH). ` +
      'Install the server (Debian/Ubuntu: apt-get install postgresql) or set PG_BIN to its bin folder.',
  )
}

function unprivilegedOwner(): Owner {
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim())
    return { uid: id('-u'), gid: id('-g') }
  } catch (err) {
    throw new Error(
      'Running as root, and initdb refuses to: there is no "nobody" user to run PostgreSQL as. Run as another user.',
      { cause: err },
    )
  }
}

/** Run a program to completion; reject with its output when it fails. */
function run(cmd: string, args: string[], options: RunOptions): Promise<string> {
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

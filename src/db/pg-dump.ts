import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'
import { AppError } from '../errors.js'
import { findPgProgram } from './find-pg-bin.js'

const execFileAsync = promisify(execFile)

export interface PgDump {
  path: string
  version: string
  major: number
}

/**
 * Find pg_dump and ask its version (null when there is none), before the
 * server's version is known: a snapshot runs this while it connects.
 */
export async function probePgDump(): Promise<PgDump | null> {
  const path = findPgProgram('pg_dump')
  if (!path) return null
  const { stdout } = await execFileAsync(path, ['--version'])
  const match = /(\d+)(?:\.(\d+))?/.exec(stdout)
  return { path, version: match?.[0] ?? stdout.trim(), major: Number(match?.[1] ?? 0) }
}

/** The probed pg_dump when it can dump a server of `serverVersionNum`: it refuses a newer server. */
export function checkPgDump(
  pgDump: PgDump | null,
  serverVersionNum: number,
  serverVersion: string,
): PgDump {
  const serverMajor = Math.floor(serverVersionNum / 10000)
  if (!pgDump) {
    throw new AppError(
      'pg_dump_missing',
      `pg_dump not found. Install the PostgreSQL ${serverMajor} client (Debian/Ubuntu: apt-get install postgresql-client-${serverMajor}), or set PG_BIN to the folder that holds pg_dump.`,
    )
  }
  if (pgDump.major < serverMajor) {
    throw new AppError(
      'pg_dump_too_old',
      `${pgDump.path} is version ${pgDump.version}, older than the source server (${serverVersion}); pg_dump refuses to dump a newer server. Install the PostgreSQL ${serverMajor} client (Debian/Ubuntu: apt-get install postgresql-client-${serverMajor}) or set PG_BIN to its bin folder.`,
    )
  }
  return pgDump
}

/**
 * Arguments and environment for libpq programs, with the password moved out
 * of the URL into PGPASSWORD so it never shows in a process list.
 */
export function libpqConnection(url: string): { dbArg: string; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = {}
  let dbArg = url
  try {
    const u = new URL(url)
    if (u.password) {
      env.PGPASSWORD = decodeURIComponent(u.password)
      u.password = ''
      dbArg = u.toString()
    }
  } catch {
    // not a URL (a key=value string): pass it as it is
  }
  return { dbArg, env }
}

/**
 * Run pg_dump for one section inside the exported snapshot. Owners,
 * privileges, tablespaces, publications and subscriptions are left out: a
 * developer's database has none of production's roles, and the dump must
 * restore into an empty database without errors. Large objects are left out.
 */
export function spawnPgDump(
  pgDump: PgDump,
  url: string,
  section: 'pre-data' | 'post-data',
  snapshot: string,
): ChildProcess {
  const { dbArg, env } = libpqConnection(url)
  return spawn(
    pgDump.path,
    [
      `--section=${section}`,
      `--snapshot=${snapshot}`,
      '--encoding=UTF8',
      '--no-owner',
      '--no-privileges',
      '--no-tablespaces',
      '--no-publications',
      '--no-subscriptions',
      '--no-security-labels',
      '--no-blobs',
      '--no-password',
      '--dbname',
      dbArg,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        ...env,
        PGOPTIONS: '-c default_transaction_read_only=on',
        PGAPPNAME: 'dumpling',
      },
    },
  )
}

/** Resolves when the program exits 0; otherwise rejects with its stderr (last 4 KB). */
export function waitForExit(child: ChildProcess, what: string): Promise<void> {
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4096)
  })
  return new Promise((resolve, reject) => {
    child.on('error', (err) =>
      reject(
        new AppError('dump_failed', `${what} could not start: ${err.message}`, { cause: err }),
      ),
    )
    child.on('close', (code, signal) => {
      if (code === 0) resolve()
      else
        reject(
          new AppError(
            'dump_failed',
            `${what} failed (${signal ?? `exit ${code}`}): ${stderr.trim() || 'no message'}`,
          ),
        )
    })
  })
}

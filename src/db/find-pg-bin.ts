import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Folders that may hold PostgreSQL's programs, best first: `pg_config --bindir`,
 * the newest `/usr/lib/postgresql/<major>/bin`, then PATH. `PG_BIN`, when set,
 * is the only one: a folder named on purpose is never silently passed over for
 * another version (and a missing program there is reported as missing).
 */
export function pgBinCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.PG_BIN) return [env.PG_BIN]
  const dirs: string[] = []
  try {
    dirs.push(
      execFileSync('pg_config', ['--bindir'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim(),
    )
  } catch {
    // no pg_config on PATH: fine, try the Debian layout
  }
  const debian = '/usr/lib/postgresql'
  if (existsSync(debian)) {
    const majors = readdirSync(debian)
      .filter((d) => /^\d+$/.test(d))
      .sort((a, b) => Number(b) - Number(a))
    for (const major of majors) dirs.push(join(debian, major, 'bin'))
  }
  for (const dir of (env.PATH ?? '').split(':')) if (dir) dirs.push(dir)
  return [...new Set(dirs)]
}

/** The path of a PostgreSQL program (`pg_dump`, `psql`, `initdb`…), or null when none is found. */
export function findPgProgram(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of pgBinCandidates(env)) {
    const path = join(dir, name)
    if (existsSync(path)) return path
  }
  return null
}

import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { gunzipSync } from 'node:zlib'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load-config.js'
import { findPgProgram } from '../../src/db/find-pg-bin.js'
import { runSnapshot } from '../../src/snapshot/run-snapshot.js'
import { testKey } from '../helpers/compile-for-test.js'
import { createDatabase, type TestDatabase } from '../helpers/databases.js'
import { createWorkdir } from '../helpers/workdir.js'

/*
 * pg_dump's sections start as soon as the snapshot is exported and must never
 * wait on us: a schema larger than any pipe or buffer (here 20 MiB, or one 17 MB
 * policy) is spooled to a temporary file. A run that fails or is interrupted with
 * such a section still settles at once and leaves nothing behind, and post-data's
 * pg_dump lets go of its table locks long before the data phase ends.
 */

const execFileAsync = promisify(execFile)
const rulesPath = resolve('test/fixtures/rules.yml')
const work = createWorkdir()
const config = work.write(
  'dumpling.yml',
  `source:\n  url: \${DUMPLING_SOURCE_URL}\nrules: ${JSON.stringify(rulesPath)}\n`,
)
const realPgDump = findPgProgram('pg_dump') as string
const bin = join(work.dir, 'bin')
const pad = work.write(
  'pad.sql',
  '-- a large schema, padded with comments ---------------\n'.repeat(380_000),
)
const savedPgBin = process.env.PG_BIN
const savedTmp = process.env.TMPDIR
let tmp = ''

/** pg_dump whose `section` is 20 MiB of SQL comments, then the real one; SIGTERM ends it. */
function largeSection(section: 'pre-data' | 'post-data'): void {
  mkdirSync(bin, { recursive: true })
  writeFileSync(
    join(bin, 'pg_dump'),
    `#!/bin/sh
case "$*" in *--section=${section}*)
  trap 'kill $pid 2>/dev/null; exit 143' TERM
  cat ${JSON.stringify(pad)} & pid=$!
  wait $pid || exit $?
  ${JSON.stringify(realPgDump)} "$@" & pid=$!
  wait $pid;;
esac
exec ${JSON.stringify(realPgDump)} "$@"
`,
    { mode: 0o755 },
  )
  process.env.PG_BIN = bin
}

/** Settles `p` or says it hung after `ms`. */
const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([
    p.then(
      (value) => ({ settled: 'resolved' as const, value }),
      (error: unknown) => ({ settled: 'rejected' as const, error }),
    ),
    new Promise<{ settled: 'hung' }>((r) => setTimeout(() => r({ settled: 'hung' }), ms)),
  ])

const files = (dir: string) => {
  try {
    return readdirSync(dir)
  } catch {
    return []
  }
}

let db: TestDatabase
let counter = 0
beforeAll(async () => {
  db = await createDatabase()
})
afterEach(() => {
  if (savedPgBin === undefined) delete process.env.PG_BIN
  else process.env.PG_BIN = savedPgBin
  if (savedTmp === undefined) delete process.env.TMPDIR
  else process.env.TMPDIR = savedTmp
})
afterAll(async () => {
  await db?.drop()
  work.remove()
})

/** A fresh, empty TMPDIR for this test: the spool files go there (and must not stay). */
function freshTmp(): string {
  tmp = join(work.dir, `tmp${++counter}`)
  mkdirSync(tmp)
  process.env.TMPDIR = tmp
  return tmp
}

/** Descriptors of this process that hold a spool file (unlinked: "(deleted)"). */
const spoolsHeld = () =>
  files('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`)
      return target.includes(`${tmp}/dumpling-`) ? [target] : []
    } catch {
      return []
    }
  })

const sessionsLeft = async () =>
  (
    await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'dumpling%' AND datname = current_database() AND pid <> pg_backend_pid()",
    )
  )[0]?.n

/**
 * ALTER TABLE feature_flags (the smallest table: copied last) once post-data's
 * pg_dump holds its ACCESS SHARE lock on it (2 s at most): it queues behind that
 * lock, and the COPY of the table queues behind the ALTER.
 */
async function alterWhenLocked(ddl: pg.Client): Promise<unknown> {
  for (let i = 0; i < 40; i++) {
    const [held] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a USING (pid)
        WHERE l.relation = 'public.feature_flags'::regclass AND l.granted
          AND a.application_name = 'dumpling' AND a.query NOT ILIKE 'COPY%'`,
    )
    if (held?.n) break
    await new Promise((r) => setTimeout(r, 50))
  }
  return ddl.query('ALTER TABLE public.feature_flags ADD COLUMN note int')
}

const cfg = () =>
  loadConfig({ path: config, env: { DUMPLING_SOURCE_URL: db.url, DUMPLING_ANON_KEY: testKey } })

describe.sequential('snapshot: a pg_dump section larger than any buffer', () => {
  it('an interrupt during the data phase settles at once and leaves nothing', async () => {
    largeSection('post-data')
    freshTmp()
    const output = join(work.dir, 'interrupted')
    const stop = new AbortController()
    const result = await within(
      runSnapshot({
        config: cfg(),
        outputDir: output,
        signal: stop.signal,
        workers: 0,
        onEvent: (e) => {
          // By now post-data's 20 MiB are written, or are being written, at its own pace.
          if (e.type === 'phase' && e.phase === 'data') setTimeout(() => stop.abort(), 50)
        },
      }),
      15_000,
    )
    expect(result.settled).toBe('rejected')
    expect(result.settled === 'rejected' && result.error).toMatchObject({ code: 'interrupted' })
    expect(files(output)).toEqual([])
    expect(files(tmp)).toEqual([])
    expect(await sessionsLeft()).toBe(0)
  })

  it('a failure (an unclassified column) through the CLI exits at once, non-zero, leaving nothing', async () => {
    largeSection('pre-data')
    const cliTmp = freshTmp()
    const output = join(work.dir, 'failed')
    await db.query('ALTER TABLE public.users ADD COLUMN secret_answer text')
    try {
      const run = execFileAsync(
        process.execPath,
        [resolve('dist/cli/index.js'), 'snapshot', '--config', config, '--output', output],
        {
          env: {
            PATH: process.env.PATH,
            PG_BIN: bin,
            TMPDIR: cliTmp,
            DUMPLING_SOURCE_URL: db.url,
            DUMPLING_ANON_KEY: testKey,
          },
          timeout: 15_000,
          killSignal: 'SIGKILL',
        },
      )
      await expect(run).rejects.toMatchObject({
        killed: false,
        code: 4,
        stderr: expect.stringContaining('secret_answer'),
      })
    } finally {
      await db.query('ALTER TABLE public.users DROP COLUMN secret_answer')
    }
    expect(files(output)).toEqual([])
    expect(files(cliTmp)).toEqual([])
    expect(await sessionsLeft()).toBe(0)
  }, 30_000)

  it('no temporary file can be made: the run fails at once, says why, and leaves nothing', async () => {
    largeSection('post-data')
    process.env.TMPDIR = join(work.dir, 'no-such-tmp')
    const output = join(work.dir, 'no-spool')
    const result = await within(
      runSnapshot({ config: cfg(), outputDir: output, workers: 0 }),
      15_000,
    )
    expect(result.settled).toBe('rejected')
    expect(result.settled === 'rejected' && result.error).toMatchObject({
      code: 'dump_failed',
      message: expect.stringContaining("Could not make a temporary file for pg_dump's"),
    })
    expect(files(output)).toEqual([])
    expect(await sessionsLeft()).toBe(0)
  })

  it('DDL sent during the run with a 17 MB post-data: the snapshot finishes', async () => {
    freshTmp()
    await db.query(
      "DO $$ BEGIN EXECUTE format('CREATE POLICY large ON public.users USING (email <> %L)', repeat('x', 17000000)); END $$",
    )
    const ddl = new pg.Client({ connectionString: db.url })
    await ddl.connect()
    let alter: Promise<unknown> | null = null
    try {
      const run = runSnapshot({
        config: cfg(),
        outputDir: join(work.dir, 'ddl'),
        onEvent: (e) => {
          if (e.type === 'phase' && e.phase === 'data') alter ??= alterWhenLocked(ddl)
        },
      })
      const result = await within(run, 30_000)
      if (result.settled === 'hung') {
        await db.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'ALTER TABLE public.feature_flags%'",
        )
        await run.catch(() => {})
      }
      expect(result.settled).toBe('resolved')
      expect(files(tmp)).toEqual([])
      // The whole section is in the dump: the policy with all of its 17 MB.
      const dump = gunzipSync(readFileSync(join(work.dir, 'ddl', 'dump.sql.gz'))).toString()
      expect(dump).toContain('CREATE POLICY large ON public.users')
      // Both spool files are closed: no descriptor still holds one (Linux's /proc).
      await new Promise((r) => setTimeout(r, 200))
      expect(spoolsHeld()).toEqual([])
      expect(dump).toContain(`'${'x'.repeat(17_000_000)}'`)
    } finally {
      await (alter as Promise<unknown> | null)?.catch(() => {})
      await ddl.end()
      await db.query('DROP POLICY IF EXISTS large ON public.users')
      await db.query('ALTER TABLE public.feature_flags DROP COLUMN IF EXISTS note')
    }
  }, 60_000)
})

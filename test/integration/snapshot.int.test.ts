import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { gunzipSync } from 'node:zlib'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load-config.js'
import { findPgProgram } from '../../src/db/find-pg-bin.js'
import { runSnapshot } from '../../src/snapshot/run-snapshot.js'
import { otherKey, testKey } from '../helpers/compile-for-test.js'
import { createDatabase, restoreDump, type TestDatabase } from '../helpers/databases.js'
import { runCli } from '../helpers/run-cli.js'
import { createWorkdir } from '../helpers/workdir.js'

const execFileAsync = promisify(execFile)
const rulesPath = resolve('test/fixtures/rules.yml')
const work = createWorkdir()
let source: TestDatabase
const created: TestDatabase[] = []

const config = work.write(
  'dumpling.yml',
  `source:\n  url: \${DUMPLING_SOURCE_URL}\nrules: ${JSON.stringify(rulesPath)}\n`,
)

/** The same rules, transformed on the main thread instead of worker threads. */
const inlineConfig = work.write(
  'inline.yml',
  `source:\n  url: \${DUMPLING_SOURCE_URL}\nrules: ${JSON.stringify(rulesPath)}\nsnapshot:\n  workers: 0\n`,
)

async function snapshot(db: TestDatabase, name: string, key = testKey, configFile = config) {
  const output = join(work.dir, name)
  const result = await runCli(['snapshot', '--config', configFile, '--output', output], {
    DUMPLING_SOURCE_URL: db.url,
    DUMPLING_ANON_KEY: key,
  })
  return { ...result, output, dump: join(output, 'dump.sql.gz') }
}

async function restored(dump: string): Promise<TestDatabase> {
  const db = await createDatabase({ from: 'empty' })
  created.push(db)
  const result = await restoreDump(dump, db)
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  return db
}

const countsSql = `
  SELECT n.nspname || '.' || c.relname AS name,
    (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM ONLY %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::int AS rows
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`

/** Dumpling's sessions on `db` (pg_dump's too); a backend may take a moment to go after its client ended. */
async function sessionsLeft(db: TestDatabase): Promise<number> {
  let sessions = -1
  for (let i = 0; i < 40 && sessions !== 0; i++) {
    const [row] = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'dumpling' AND datname = current_database()",
    )
    sessions = row?.n ?? -1
    if (sessions !== 0) await new Promise((r) => setTimeout(r, 50))
  }
  return sessions
}

describe('dumpling snapshot', () => {
  let first: Awaited<ReturnType<typeof snapshot>>
  let target: TestDatabase

  beforeAll(async () => {
    source = await createDatabase()
    first = await snapshot(source, 'first')
    target = await restored(first.dump)
  })

  afterAll(async () => {
    await Promise.all([source, ...created].map((db) => db?.drop()))
  })

  it('exits 0 and writes a dump and a manifest with per-table counts', () => {
    expect(first.stderr).toMatch(/Snapshot \d{8}T\d{6}Z-[0-9a-f]{4}: /)
    expect(first.code).toBe(0)
    expect(first.stderr).not.toMatch(/main thread/)
    const manifest = JSON.parse(readFileSync(join(first.output, 'manifest.json'), 'utf8'))
    expect(manifest.dump.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(manifest.source.systemIdentifier).toMatch(/^\d+$/)
    expect(
      manifest.tables.find((t: { name: string }) => t.name === 'public.users').rows,
    ).toBeGreaterThan(100)
    expect(manifest.tables.find((t: { name: string }) => t.name === 'public.sessions').data).toBe(
      'skip',
    )
  })

  it('restores into an empty database with every row of every dumped table', async () => {
    const before = await source.query<{ name: string; rows: number }>(countsSql)
    const after = await target.query<{ name: string; rows: number }>(countsSql)
    const expected = before.map((t) => (t.name === 'public.sessions' ? { ...t, rows: 0 } : t))
    expect(after).toEqual(expected)
  })

  it('keeps every constraint, index and the materialized view', async () => {
    const sql = `SELECT conrelid::regclass::text AS t, conname, contype FROM pg_constraint
      WHERE connamespace::regnamespace::text NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2`
    expect(await target.query(sql)).toEqual(await source.query(sql))
    const idx = `SELECT indexrelid::regclass::text AS i FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'pg_toast') ORDER BY 1`
    expect(await target.query(idx)).toEqual(await source.query(idx))
    const [mv] = await target.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM public.users_per_city',
    )
    expect(mv?.n).toBeGreaterThan(0)
  })

  it('leaves no original email, phone or name in the dump bytes', async () => {
    const text = gunzipSync(readFileSync(first.dump)).toString('utf8')
    for (const value of [
      'alice.liddell@wonderland.test',
      'Alice Liddell',
      'Liddell',
      '+44 20 7946 0958',
      "bob.o'connor@example.org",
      'Zoë Ångström',
    ]) {
      expect(text, value).not.toContain(value)
    }
    const emails = await source.query<{ email: string }>('SELECT email FROM public.users')
    const leaked = emails.filter((e) => text.includes(e.email))
    expect(leaked).toEqual([])
  })

  it('transforms every personal column and keeps NULL and empty strings apart', async () => {
    const sql = `SELECT id, email, full_name, phone, notes IS NULL AS notes_null, notes = '' AS notes_empty
      FROM public.users ORDER BY id`
    const before = await source.query<Record<string, unknown>>(sql)
    const after = await target.query<Record<string, unknown>>(sql)
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id))
    after.forEach((row, i) => {
      const orig = before[i] ?? {}
      expect(row.email).not.toBe(orig.email)
      expect(row.full_name).not.toBe(orig.full_name)
      if (orig.phone !== null) expect(row.phone).not.toBe(orig.phone)
      expect([row.notes_null, row.notes_empty]).toEqual([orig.notes_null, orig.notes_empty])
    })
  })

  it('copies kept values byte for byte: tabs, newlines, backslashes, quotes, unicode', async () => {
    const lines = 'SELECT * FROM "Billing"."Invoice Lines" ORDER BY 1, 2, 3'
    expect(await target.query(lines)).toEqual(await source.query(lines))
    const events = `SELECT id, payload - 'email' - 'customer' - 'recipients' AS rest,
      cardinality(tags) AS tags FROM public.events ORDER BY id`
    expect(await target.query(events)).toEqual(await source.query(events))
  })

  it('recomputes generated columns and sets sequences to their source values', async () => {
    const [mismatch] = await target.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM public.users WHERE search IS DISTINCT FROM to_tsvector('simple', full_name)`,
    )
    expect(mismatch?.n).toBe(0)
    const seq = `SELECT last_value::text AS v FROM "Billing".invoice_no_seq`
    expect(await target.query(seq)).toEqual(await source.query(seq))
  })

  it('gives the same fake for the same value in every table, every run and every thread', async () => {
    const again = await snapshot(source, 'again', testKey, inlineConfig)
    expect(again.code).toBe(0)
    const second = await restored(again.dump)
    const sql = 'SELECT id, email, full_name, external_id FROM public.users ORDER BY id'
    expect(await second.query(sql)).toEqual(await target.query(sql))

    const joined = `SELECT count(*)::int AS n FROM "Billing".invoices i JOIN public.users u ON u.id = i.user_id
      WHERE i.billing_email::text = u.email::text`
    const [src] = await source.query<{ n: number }>(joined)
    const [dst] = await target.query<{ n: number }>(joined)
    expect(src?.n).toBeGreaterThan(0)
    expect(dst?.n).toBe(src?.n)
  })

  it('gives different fakes under another key', async () => {
    const other = await snapshot(source, 'other', otherKey)
    expect(other.code).toBe(0)
    const db = await restored(other.dump)
    const sql = 'SELECT email FROM public.users ORDER BY id'
    const a = await target.query<{ email: string }>(sql)
    const b = await db.query<{ email: string }>(sql)
    expect(b.filter((row, i) => row.email === a[i]?.email)).toEqual([])
  })

  it('refuses to overwrite a snapshot without --force', async () => {
    const again = await runCli(['snapshot', '--config', config, '--output', first.output], {
      DUMPLING_SOURCE_URL: source.url,
      DUMPLING_ANON_KEY: testKey,
    })
    expect(again.code).toBe(8)
    expect(again.stderr).toMatch(/already holds a snapshot.*--force/)
  })

  it('warns that large objects are left out', () => {
    expect(first.stderr).toMatch(/large object\(s\) left out/)
  })
})

describe('dumpling snapshot with rules that do not fit', () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await createDatabase()
  })
  afterAll(async () => {
    await db.drop()
    work.remove()
  })

  it('stops on an unclassified column before reading any row', async () => {
    await db.query('ALTER TABLE public.users ADD COLUMN secret_answer text')
    const scans = `SELECT seq_scan + coalesce(idx_scan, 0) AS n FROM pg_stat_user_tables WHERE relid = 'public.users'::regclass`
    await db.query('SELECT pg_stat_force_next_flush()')
    const [before] = await db.query<{ n: string }>(scans)
    const result = await snapshot(db, 'unclassified')
    expect(result.code).toBe(4)
    expect(result.stderr).toContain('public.users.secret_answer (text) is not classified')
    expect(existsSync(result.dump)).toBe(false)
    expect(existsSync(`${result.dump}.partial`)).toBe(false)
    await new Promise((r) => setTimeout(r, 200))
    const [after] = await db.query<{ n: string }>(scans)
    expect(after?.n).toBe(before?.n)
    await db.query('ALTER TABLE public.users DROP COLUMN secret_answer')
  })

  /** The fixture's config, on this file's database and the test key. */
  const fixtureConfig = () =>
    loadConfig({ path: config, env: { DUMPLING_SOURCE_URL: db.url, DUMPLING_ANON_KEY: testKey } })
  /** A failed run left neither a dump, a partial one nor a manifest. */
  const expectNothingIn = (output: string) => {
    for (const file of ['dump.sql.gz', 'dump.sql.gz.partial', 'manifest.json']) {
      expect(existsSync(join(output, file))).toBe(false)
    }
  }

  it('stops cleanly when interrupted mid-run and leaves nothing behind', async () => {
    const output = join(work.dir, 'interrupted')
    const stop = new AbortController()
    const run = runSnapshot({
      config: fixtureConfig(),
      outputDir: output,
      signal: stop.signal,
      onEvent: (e) => {
        if (e.type === 'phase' && e.phase === 'data') stop.abort()
      },
    })
    await expect(run).rejects.toMatchObject({ code: 'interrupted' })
    expectNothingIn(output)
    expect(await sessionsLeft(db)).toBe(0)
  })

  describe('when pg_dump fails', () => {
    const realPgDump = findPgProgram('pg_dump')
    const bin = join(work.dir, 'failing-bin')
    const saved = process.env.PG_BIN
    /** A pg_dump that fails `section` when the file `go` appears; the other section is the real one. */
    function failingPgDump(section: string) {
      mkdirSync(bin, { recursive: true })
      rmSync(join(bin, 'go'), { force: true })
      const script = `#!/bin/sh
case "$*" in *--section=${section}*)
  while [ ! -e ${JSON.stringify(join(bin, 'go'))} ]; do sleep 0.02; done
  echo "pg_dump: error: simulated failure" >&2; exit 1;;
esac
exec ${JSON.stringify(realPgDump)} "$@"
`
      writeFileSync(join(bin, 'pg_dump'), script, { mode: 0o755 })
      process.env.PG_BIN = bin
    }
    afterEach(() => {
      if (saved === undefined) delete process.env.PG_BIN
      else process.env.PG_BIN = saved
    })

    // pre-data fails as the data phase begins (the rows wait for it); post-data when the
    // first rows are in the dump.
    it.each([
      ['pre-data', 'phase'],
      ['post-data', 'progress'],
    ])(
      'fails the whole snapshot when pg_dump --section=%s fails during the data phase, and leaves nothing',
      async (section, when) => {
        failingPgDump(section)
        const output = join(work.dir, `pg-dump-${section}`)
        const run = runSnapshot({
          config: fixtureConfig(),
          outputDir: output,
          onEvent: (e) => {
            if (e.type === when && (e.type !== 'phase' || e.phase === 'data')) {
              writeFileSync(join(bin, 'go'), '')
            }
          },
        })
        await expect(run).rejects.toMatchObject({
          code: 'dump_failed',
          message: expect.stringContaining(
            `pg_dump --section=${section} failed (exit 1): pg_dump: error: simulated failure`,
          ),
        })
        expectNothingIn(output)
        expect(await sessionsLeft(db)).toBe(0)
      },
    )
  })

  it('fails cleanly when the source connection is lost mid-run', async () => {
    const output = join(work.dir, 'lost')
    const run = runSnapshot({
      config: fixtureConfig(),
      outputDir: output,
      onEvent: (e) => {
        if (e.type === 'phase' && e.phase === 'data') {
          db.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dumpling' AND datname = current_database()",
          ).catch(() => {})
        }
      },
    })
    await expect(run).rejects.toMatchObject({ code: 'dump_failed' })
    expectNothingIn(output)
  })

  it('exits on a config error into a folder: the transform threads it started ahead end', async () => {
    // The built command in its own process: a thread left running would keep it alive.
    const run = execFileAsync(
      process.execPath,
      [
        resolve('dist/cli/index.js'),
        'snapshot',
        '--config',
        join(work.dir, 'no-such.yml'),
        '--output',
        join(work.dir, 'y'),
      ],
      {
        env: { PATH: process.env.PATH, DUMPLING_SOURCE_URL: db.url, DUMPLING_ANON_KEY: testKey },
        timeout: 15_000,
      },
    )
    await expect(run).rejects.toMatchObject({
      code: 3,
      killed: false,
      stderr: expect.stringContaining('no-such.yml'),
    })
  })

  it('refuses to run without DUMPLING_ANON_KEY, or with a short one', async () => {
    const none = await runCli(['snapshot', '--config', config, '--output', join(work.dir, 'x')], {
      DUMPLING_SOURCE_URL: db.url,
    })
    expect(none.code).toBe(3)
    expect(none.stderr).toContain('DUMPLING_ANON_KEY is not set')
    const short = await snapshot(db, 'short', 'too-short')
    expect(short.code).toBe(3)
    expect(short.stderr).toMatch(/at least 32/)
  })
})

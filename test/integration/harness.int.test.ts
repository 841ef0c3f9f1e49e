import { spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGzip, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDatabase, restoreDump, type TestDatabase, testServer } from '../helpers/databases.js'

/** Rows per table in test/fixtures/seed.sql (ONLY: inheritance children counted apart). */
const expectedRows = {
  'Billing.Invoice Lines': 750,
  'Billing.invoices': 250,
  'audit.log': 300,
  'audit.log_archive': 40,
  'public.documents': 3,
  'public.events': 0,
  'public.events_2023': 250,
  'public.events_2024': 251,
  'public.events_default': 99,
  'public.feature_flags': 0,
  'public.sessions': 400,
  'public.users': 300,
}

async function rowCounts(db: TestDatabase): Promise<Record<string, number>> {
  const tables = await db.query<{ schema: string; name: string }>(
    `SELECT n.nspname AS schema, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('public', 'Billing', 'audit')
      ORDER BY 1, 2`,
  )
  const counts: Record<string, number> = {}
  for (const { schema, name } of tables) {
    const [row] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ONLY "${schema}"."${name.replaceAll('"', '""')}"`,
    )
    counts[`${schema}.${name}`] = row?.n ?? -1
  }
  return counts
}

function pgDumpGz(db: TestDatabase, path: string): Promise<void> {
  const child = spawn(join(testServer().pgBin, 'pg_dump'), ['-Fp', '-d', db.url], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`pg_dump exited with ${code}`)),
    )
  })
  return Promise.all([pipeline(child.stdout, createGzip(), createWriteStream(path)), exited]).then(
    () => {},
  )
}

describe('test database harness', () => {
  let db: TestDatabase
  let dir: string

  beforeAll(async () => {
    db = await createDatabase()
    dir = await mkdtemp(join(tmpdir(), 'dumpling-harness-'))
  })

  afterAll(async () => {
    await db?.drop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('clones the fixture with every table and its rows', async () => {
    expect(await rowCounts(db)).toEqual(expectedRows)
    const [alice] = await db.query<{ full_name: string; phone: string }>(
      'SELECT full_name, phone FROM public.users WHERE email = $1',
      ['ALICE.LIDDELL@wonderland.test'],
    )
    expect(alice).toEqual({ full_name: 'Alice Liddell', phone: '+44 20 7946 0958' })
  })

  it('gives every caller a database of its own and drops it', async () => {
    const clones = await Promise.all([createDatabase(), createDatabase(), createDatabase()])
    const users = await Promise.all(
      clones.map((c) => c.query<{ n: number }>('SELECT count(*)::int AS n FROM public.users')),
    )
    expect(users.map(([row]) => row?.n)).toEqual([300, 300, 300])
    await Promise.all(clones.map((c) => c.drop()))
    const left = await db.query('SELECT 1 FROM pg_database WHERE datname = ANY($1)', [
      clones.map((c) => c.name),
    ])
    expect(left).toEqual([])
  })

  it('creates empty databases with no tables', async () => {
    const empty = await createDatabase({ from: 'empty' })
    try {
      const tables = await empty.query(
        "SELECT 1 FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
      )
      expect(tables).toEqual([])
    } finally {
      await empty.drop()
    }
  })

  it('reports the statement that fails a restore with a non-zero code', async () => {
    const gz = join(dir, 'bad.sql.gz')
    await writeFile(
      gz,
      gzipSync(
        'CREATE TABLE before_error (id int);\nSELECT * FROM no_such_table;\nCREATE TABLE after_error (id int);\n',
      ),
    )
    const target = await createDatabase({ from: 'empty' })
    try {
      const result = await restoreDump(gz, target)
      expect(result.code).not.toBe(0)
      expect(result.stderr).toMatch(/relation "no_such_table" does not exist/)
      const tables = await target.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
      )
      expect(tables).toEqual([{ tablename: 'before_error' }])
    } finally {
      await target.drop()
    }
  })

  it('restores a pg_dump of the fixture into an empty database', async () => {
    const gz = join(dir, 'fixture.sql.gz')
    await pgDumpGz(db, gz)
    const target = await createDatabase({ from: 'empty' })
    try {
      expect(await restoreDump(gz, target)).toEqual({ code: 0, stderr: '' })
      expect(await rowCounts(target)).toEqual(expectedRows)
      const [seq] = await target.query<{ last_value: string }>(
        'SELECT last_value FROM "Billing".invoice_no_seq',
      )
      expect(seq?.last_value).toBe('4242')
      const [lo] = await target.query<{ text: string }>(
        "SELECT convert_from(lo_get(content), 'UTF8') AS text FROM public.documents WHERE id = 1",
      )
      expect(lo?.text).toContain('Alice Liddell')
    } finally {
      await target.drop()
    }
  })
})

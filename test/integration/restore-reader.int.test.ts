import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import type pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { loadDump } from '../../src/restore/load-dump.js'
import { connectTarget } from '../../src/restore/target-server.js'
import { createDatabase, restoreDump, type TestDatabase } from '../helpers/databases.js'
import { createWorkdir } from '../helpers/workdir.js'

/*
 * The reader hands COPY rows to the sessions without copying them and parses
 * only a window of SQL text at a time: whatever the chunk boundaries, the
 * result must be exactly psql's.
 */

const work = createWorkdir()
const databases: TestDatabase[] = []

const rows = Array.from(
  { length: 3000 },
  (_, i) => `${i + 10}\trow ${i} ${'ü'.repeat(i % 7)}${i % 11 === 0 ? '\\\\.' : ''}`,
)
const dump = [
  '\\restrict k1',
  "SET client_encoding = 'UTF8';",
  'CREATE TABLE public.t (id int, v text);',
  'CREATE TABLE public.w (a text);',
  'CREATE TABLE public.u (id int, note text);',
  "CREATE FUNCTION public.f() RETURNS text LANGUAGE sql AS $$ SELECT 'a;b\\.' $$;",
  // Longer than the reader's SQL window, with semicolons inside.
  `COMMENT ON TABLE public.t IS '${'x;'.repeat(40_000)}';`,
  '\\unrestrict k1',
  'COPY public.t (id, v) FROM stdin;',
  '1\tplain',
  '2\ta\\\\.b',
  '3\t\\N',
  ...rows,
  '\\.',
  'COPY public.u (id, note) FROM stdin;',
  '\\.',
  'COPY public.w (a) FROM stdin;',
  '\\\\.',
  'x\\\\.',
  '\\.',
  'COPY public.t (id, v) FROM stdin;',
  '4\tsecond block',
  '\\.',
  '\\restrict k2',
  'CREATE INDEX t_id ON public.t (id);',
  '\\unrestrict k2',
  '',
].join('\n')

async function contents(db: TestDatabase): Promise<unknown[]> {
  return db.query(
    `SELECT (SELECT md5(string_agg(id || '|' || coalesce(v, 'NULL'), ',' ORDER BY id)) FROM public.t) AS t,
            (SELECT string_agg(a, ',' ORDER BY a) FROM public.w) AS w,
            (SELECT count(*)::int FROM public.u) AS u,
            length(obj_description('public.t'::regclass)) AS comment,
            public.f() AS f,
            (SELECT count(*)::int FROM pg_indexes WHERE indexname = 't_id') AS index`,
  )
}

/** The dump as a stream of chunks of these sizes, over and over. */
function chunked(text: string, sizes: number[]): Readable {
  const bytes = Buffer.from(text, 'utf8')
  return Readable.from(
    (function* () {
      for (let at = 0, i = 0; at < bytes.length; i++) {
        const size = sizes[i % sizes.length] as number
        yield bytes.subarray(at, at + size)
        at += size
      }
    })(),
  )
}

async function load(sizes: number[]): Promise<TestDatabase> {
  const db = await createDatabase({ from: 'empty' })
  databases.push(db)
  const clients: pg.Client[] = []
  try {
    for (let i = 0; i < 3; i++) clients.push(await connectTarget(db.url, db.name, { load: true }))
    const [main, ...workers] = clients as [pg.Client, ...pg.Client[]]
    const loaded = await loadDump({ input: chunked(dump, sizes), main, workers })
    expect(Object.fromEntries(loaded.rows)).toEqual({
      'public.t': rows.length + 4,
      'public.u': 0,
      'public.w': 2,
    })
  } finally {
    await Promise.all(clients.map((c) => c.end()))
  }
  return db
}

afterAll(async () => {
  await Promise.all(databases.map((db) => db.drop()))
  work.remove()
})

describe('the dump reader', () => {
  it('loads exactly what psql loads, whatever the chunk boundaries', async () => {
    const reference = await createDatabase({ from: 'empty' })
    databases.push(reference)
    const gz = join(work.dir, 'reader.sql.gz')
    writeFileSync(gz, gzipSync(dump))
    const psql = await restoreDump(gz, reference)
    expect(psql.code, psql.stderr).toBe(0)
    const expected = await contents(reference)
    expect(expected).toMatchObject([{ w: '\\.,x\\.', u: 0, comment: 80_000, index: 1 }])
    // Tiny chunks between larger ones put a block's end across every possible seam.
    for (const sizes of [
      [1, 4099],
      [2, 3, 4099],
      [3, 1, 2, 5, 1031],
      [4099],
      [65_536],
      [1 << 20],
    ]) {
      expect(await contents(await load(sizes)), `chunks of ${sizes} bytes`).toEqual(expected)
    }
  })
})

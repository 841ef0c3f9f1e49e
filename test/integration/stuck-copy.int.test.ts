import { Writable } from 'node:stream'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load-config.js'
import { withPgClient } from '../../src/db/with-pg-client.js'
import { CopyPool } from '../../src/restore/copy-pool.js'
import { dropDatabase } from '../../src/restore/target-server.js'
import type { SnapshotTarget } from '../../src/snapshot/folder-target.js'
import { runSnapshot } from '../../src/snapshot/run-snapshot.js'
import { testKey } from '../helpers/compile-for-test.js'
import { createDatabase, type TestDatabase, testServer } from '../helpers/databases.js'
import { createWorkdir } from '../helpers/workdir.js'

/*
 * A server session left in COPY by a client that neither sends nor reads waits
 * forever, and on PostgreSQL 15+ it also holds up every DROP DATABASE on the
 * server (DROP DATABASE waits for a signal barrier that such a session never
 * absorbs). The restore must never leave one behind, and never wait forever.
 */

let db: TestDatabase
const clients: pg.Client[] = []

beforeAll(async () => {
  db = await createDatabase({ from: 'empty' })
  await db.query('CREATE TABLE public.a (x int); CREATE TABLE public.b (x int)')
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => {})))
})

afterAll(async () => {
  await db?.drop()
})

async function session(): Promise<{ client: pg.Client; pid: number }> {
  const client = new pg.Client({ connectionString: db.url, application_name: 'copy-pool-test' })
  client.on('error', () => {})
  await client.connect()
  clients.push(client)
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
  return { client, pid: rows[0]?.pid ?? 0 }
}

/** Settles with the promise, or rejects after `ms` instead of hanging the test. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Waits until the session's server process is no longer in a COPY; returns what it runs. */
async function leftCopy(pid: number): Promise<{ state: string; query: string } | undefined> {
  let row: { state: string; query: string } | undefined
  for (let i = 0; i < 100; i++) {
    ;[row] = await db.query<{ state: string; query: string }>(
      'SELECT state, query FROM pg_stat_activity WHERE pid = $1',
      [pid],
    )
    if (!(row?.state === 'active' && /^COPY/.test(row.query))) return row
    await new Promise((r) => setTimeout(r, 50))
  }
  return row
}

describe('CopyPool after a failure', () => {
  it('never starts the COPY of a block that ended and was abandoned before its session got to it', async () => {
    const { client, pid } = await session()
    const pool = new CopyPool([client])
    const sink = await pool.begin('COPY public.a (x) FROM stdin;', 'public.a')
    await sink.write(Buffer.from('1\n2\n'))
    sink.end()
    // The session is still opening its transaction (BEGIN, TRUNCATE) for this block.
    pool.abort(new Error('another block failed'))
    await expect(within(10_000, pool.finish())).rejects.toThrow('another block failed')
    // No COPY waits on the server for rows that never come (on PostgreSQL 15 such
    // a session also holds up every DROP DATABASE on the server).
    const row = await leftCopy(pid)
    expect(row?.query ?? '').not.toMatch(/^COPY/)
    await within(10_000, client.query('ROLLBACK'))
  })

  it('fails a COPY already sent whose ended block is abandoned unread, so its session leaves COPY', async () => {
    const { client, pid } = await session()
    const { client: locker } = await session()
    // The COPY waits for this lock before it asks for rows; a COPY with options
    // of its own runs without the TRUNCATE first.
    await locker.query('BEGIN')
    await locker.query('LOCK TABLE public.b IN ACCESS EXCLUSIVE MODE')
    const pool = new CopyPool([client])
    const sink = await pool.begin('COPY public.b (x) FROM stdin WITH (FORMAT text);', 'public.b')
    let waiting = false
    for (let i = 0; i < 200 && !waiting; i++) {
      const [row] = await db.query<{ lock: boolean }>(
        "SELECT wait_event_type = 'Lock' AND query LIKE 'COPY%' AS lock FROM pg_stat_activity WHERE pid = $1",
        [pid],
      )
      waiting = row?.lock === true
      if (!waiting) await new Promise((r) => setTimeout(r, 25))
    }
    expect(waiting).toBe(true)
    // More rows than the COPY stream takes before the server answers: most stay in the block.
    await sink.write(Buffer.from('1\n'.repeat(50_000)))
    sink.end()
    pool.abort(new Error('the other session failed'))
    await locker.query('COMMIT')
    await expect(within(10_000, pool.finish())).rejects.toThrow('the other session failed')
    const row = await leftCopy(pid)
    expect(row?.state === 'active' && /^COPY/.test(row.query)).toBe(false)
    await within(10_000, client.query('ROLLBACK'))
    expect(await db.query('SELECT x FROM public.b')).toEqual([])
  })
})

describe('dropDatabase', () => {
  it.runIf(testServer().serverVersion >= 150000)(
    'gives up with a clear error when a session stuck in COPY holds DROP DATABASE up (PostgreSQL 15+)',
    async () => {
      const { client, pid } = await session()
      // A COPY FROM STDIN whose client sends nothing: the session waits in ClientRead.
      const stuck = client.query(copyFrom('COPY public.a (x) FROM stdin'))
      stuck.on('error', () => {})
      let waiting = false
      for (let i = 0; i < 200 && !waiting; i++) {
        const [row] = await db.query<{ copy: boolean }>(
          "SELECT state = 'active' AND wait_event = 'ClientRead' AND query LIKE 'COPY%' AS copy FROM pg_stat_activity WHERE pid = $1",
          [pid],
        )
        waiting = row?.copy === true
        if (!waiting) await new Promise((r) => setTimeout(r, 25))
      }
      expect(waiting).toBe(true)
      const other = await createDatabase({ from: 'empty' })
      try {
        await withPgClient(testServer().adminUrl, async (admin) => {
          const started = Date.now()
          await expect(dropDatabase(admin, other.name, 2000)).rejects.toMatchObject({
            code: 'restore_failed',
            message: expect.stringMatching(
              /did not finish within 2 s.*stuck in COPY.*pg_terminate_backend.*DROP DATABASE IF EXISTS "/s,
            ),
          })
          expect(Date.now() - started).toBeLessThan(30_000)
          const { rows } = await admin.query<{ statement_timeout: string }>(
            'SHOW statement_timeout',
          )
          expect(rows[0]?.statement_timeout).toBe('0')
        })
      } finally {
        stuck.destroy()
        await other.drop()
      }
    },
  )
})

describe('runSnapshot', () => {
  it('ends the session of a COPY TO STDOUT it abandons as soon as it fails, before cleaning up', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    const source = await createDatabase({ from: 'empty' })
    const work = createWorkdir()
    try {
      // Far more rows than the socket buffers hold: the COPY is still sending when the run fails.
      await source.query(
        'CREATE TABLE public.big (id int PRIMARY KEY, pad text); INSERT INTO public.big SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 100000) g',
      )
      const rules = work.write(
        'rules.yml',
        'tables:\n  public.big:\n    columns:\n      id: keep\n      pad: keep\n',
      )
      const config = work.write(
        'dumpling.yml',
        `source:\n  url: \${DUMPLING_SOURCE_URL}\nrules: ${JSON.stringify(rules)}\n`,
      )
      let data = false
      let written = 0
      let copying: number | null = null
      const target: SnapshotTarget = {
        describe: () => 'a disk that fills up once the rows come',
        check: async () => {},
        beginSnapshot: async () => ({
          dump: new Writable({
            write(_chunk, _enc, done) {
              // The data header goes through; the second block of rows does not.
              if (data) written++
              done(written > 2 ? new Error('no space left on device') : null)
            },
          }),
          readBack: async () => {
            throw new Error('not written')
          },
          commit: async () => {},
          // The cleanup runs while the run's sessions may still be open: are any still in COPY?
          abort: async () => {
            for (let i = 0; i < 40; i++) {
              const [row] = await source.query<{ n: number }>(
                "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'dumpling' AND datname = current_database() AND query LIKE 'COPY%' AND state = 'active'",
              )
              copying = row?.n ?? -1
              if (copying === 0) return
              await new Promise((r) => setTimeout(r, 50))
            }
          },
        }),
      }
      const run = runSnapshot({
        config: loadConfig({
          path: config,
          env: { DUMPLING_SOURCE_URL: source.url, DUMPLING_ANON_KEY: testKey },
        }),
        target,
        jobs: 1,
        workers: 0,
        chunkBytes: 64 << 10,
        onEvent: (e) => {
          if (e.type === 'phase' && e.phase === 'data') data = true
        },
      })
      await expect(run).rejects.toMatchObject({ code: 'dump_failed' })
      expect(copying).toBe(0)
      // Batches still in flight when the disk filled fail too: each such failure must be
      // handled, or Node would end the process before the run cleans up.
      await new Promise((r) => setTimeout(r, 50))
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
      work.remove()
      await source.drop()
    }
  })
})

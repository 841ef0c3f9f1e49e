import { createHash } from 'node:crypto'
import { createReadStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { gunzipSync, gzipSync } from 'node:zlib'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { main } from '../../src/cli/index.js'
import { withPgClient } from '../../src/db/with-pg-client.js'
import type { Manifest } from '../../src/snapshot/manifest.js'
import { createLocalStorage } from '../../src/storage/local-storage.js'
import { testKey } from '../helpers/compile-for-test.js'
import { createDatabase, type TestDatabase, testServer } from '../helpers/databases.js'
import { runCli } from '../helpers/run-cli.js'
import { s3rverCredentials, startS3Server } from '../helpers/s3-server.js'
import { createWorkdir } from '../helpers/workdir.js'

const rulesPath = resolve('test/fixtures/rules.yml')
const work = createWorkdir()
const server = testServer()
let source: TestDatabase
/** A snapshot of `source`, with the manifest as written: its source is this test server. */
let sameServer: string
/**
 * The same dump with the manifest's source identifier changed: restoring the
 * harness's own snapshot into the harness's own server must be refused, so
 * the positive tests pretend the snapshot came from another server.
 */
let foreign: string
let httpServer: Server
let baseUrl: string

const config = work.write(
  'dumpling.yml',
  `source:\n  url: \${DUMPLING_SOURCE_URL}\nrules: ${JSON.stringify(rulesPath)}\n`,
)

function targetName(suffix: string): string {
  return `${server.databasePrefix}${suffix}`
}

function targetUrl(name: string): string {
  const u = new URL(server.adminUrl)
  u.pathname = `/${name}`
  return u.toString()
}

function restore(args: string[], env: NodeJS.ProcessEnv = {}, stdin?: string, stdinIsTTY = false) {
  return runCli(['restore', ...args], { DUMPLING_CONFIG: config, ...env }, { stdin, stdinIsTTY })
}

async function databases(like: string): Promise<string[]> {
  return withPgClient(server.adminUrl, async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY 1',
      [like],
    )
    return rows.map((r) => r.datname)
  })
}

async function query<T>(db: string, sql: string): Promise<T[]> {
  return withPgClient(targetUrl(db), async (c) => (await c.query(sql)).rows as T[])
}

async function marker(db: string): Promise<string[]> {
  const rows = await query<{ name: string }>(
    db,
    "SELECT name FROM public.feature_flags WHERE name LIKE 'marker-%'",
  )
  return rows.map((r) => r.name)
}

/** Write a snapshot folder holding `dump` with a manifest made from `base`. */
function snapshotFolder(
  name: string,
  dump: Buffer,
  base: Manifest,
  change: (m: Manifest) => void = () => {},
) {
  const dir = join(work.dir, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'dump.sql.gz'), dump)
  const manifest = structuredClone(base)
  manifest.dump.bytes = dump.length
  manifest.dump.sha256 = createHash('sha256').update(dump).digest('hex')
  change(manifest)
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest))
  return dir
}

const constraintsSql = `SELECT conrelid::regclass::text || ' ' || conname || ' ' || contype::text AS c FROM pg_constraint
  WHERE connamespace::regnamespace::text NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`

beforeAll(async () => {
  source = await createDatabase()
  const out = join(work.dir, 'snap')
  const result = await runCli(['snapshot', '--config', config, '--output', out], {
    DUMPLING_SOURCE_URL: source.url,
    DUMPLING_ANON_KEY: testKey,
  })
  expect(result.code, result.stderr).toBe(0)
  sameServer = out
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))
  foreign = snapshotFolder('foreign', readFileSync(join(out, 'dump.sql.gz')), manifest, (m) => {
    m.source.systemIdentifier = '1'
  })
  httpServer = createServer((req, res) => {
    if (req.url === '/snapshots/dump.sql.gz?X-Amz-Signature=secret-token') {
      res.writeHead(200, { 'content-type': 'application/gzip' })
      createReadStream(join(foreign, 'dump.sql.gz')).pipe(res)
    } else {
      res.writeHead(403).end('expired')
    }
  })
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', r))
  baseUrl = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((r) => httpServer?.close(r))
  await source?.drop()
  work.remove()
})

describe('dumpling restore', () => {
  it('restores a file into a new database with every row, key and index, and checks the counts', async () => {
    const name = targetName('file')
    const result = await restore([foreign, '--target', targetUrl(name), '--yes'])
    expect(result.stderr).toMatch(
      /Restored snapshot \S+ into 127\.0\.0\.1:\d+\/\S+: 9 tables, [\d,]+ rows/,
    )
    expect(result.code).toBe(0)
    expect(await query(name, constraintsSql)).toEqual(await source.query(constraintsSql))
    const manifest = JSON.parse(readFileSync(join(foreign, 'manifest.json'), 'utf8'))
    const users = manifest.tables.find((t: { name: string }) => t.name === 'public.users').rows
    expect(await query(name, 'SELECT count(*)::int AS n FROM public.users')).toEqual([{ n: users }])
    const analyzed = await query<{ n: number }>(
      name,
      "SELECT count(*)::int AS n FROM pg_stat_user_tables WHERE relname = 'users' AND last_analyze IS NOT NULL",
    )
    expect(analyzed).toEqual([{ n: 1 }])
    // Every table has statistics: those analyzed while others loaded, partitions,
    // inheritance children, and the expression indexes built after the rows.
    expect(
      await query(
        name,
        `SELECT schemaname || '.' || relname AS t FROM pg_stat_user_tables
          WHERE last_analyze IS NULL ORDER BY 1`,
      ),
    ).toEqual([])
    const expressionIndexes = await query<{ index: string; stats: boolean }>(
      name,
      `SELECT i.indexrelid::regclass::text AS index,
              EXISTS (SELECT 1 FROM pg_statistic s WHERE s.starelid = i.indexrelid) AS stats
         FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
        WHERE i.indexprs IS NOT NULL AND t.relkind = 'r'
          AND EXISTS (SELECT 1 FROM pg_statistic s WHERE s.starelid = t.oid)`,
    )
    expect(expressionIndexes.map((i) => i.index)).toContain('users_username_lower_key')
    expect(expressionIndexes.filter((i) => !i.stats)).toEqual([])
    expect(await databases(`${name}__`)).toEqual([])
  })

  it('swaps names keeping exactly one __previous, holding the database it replaced', async () => {
    const name = targetName('swap')
    expect((await restore([foreign, '--target', targetUrl(name), '--yes'])).code).toBe(0)
    await query(name, "INSERT INTO public.feature_flags (name, enabled) VALUES ('marker-1', true)")
    const second = await restore([foreign, '--target', targetUrl(name), '--yes'])
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toContain(`kept as ${name}__previous`)
    expect(await marker(`${name}__previous`)).toEqual(['marker-1'])
    expect(await marker(name)).toEqual([])
    await query(name, "INSERT INTO public.feature_flags (name, enabled) VALUES ('marker-2', true)")
    expect((await restore([foreign, '--target', targetUrl(name), '--yes'])).code).toBe(0)
    expect(await databases(name)).toEqual([name, `${name}__previous`])
    expect(await marker(`${name}__previous`)).toEqual(['marker-2'])
  })

  it('restores from a link with its manifest, and never prints the link', async () => {
    const name = targetName('link')
    const link = `${baseUrl}/snapshots/dump.sql.gz?X-Amz-Signature=secret-token`
    const result = await restore([
      link,
      '--manifest',
      join(foreign, 'manifest.json'),
      '--target',
      targetUrl(name),
      '--yes',
    ])
    expect(result.code, result.stderr).toBe(0)
    expect(await query(name, 'SELECT count(*)::int AS n FROM "Billing"."Invoice Lines"')).toEqual([
      { n: 750 },
    ])
    expect(result.stderr + result.stdout).not.toContain('secret-token')
  })

  it('reads the link from stdin with `restore -`, and says so when stdin holds none', async () => {
    const name = targetName('stdin')
    const link = `${baseUrl}/snapshots/dump.sql.gz?X-Amz-Signature=secret-token`
    const args = ['-', '--manifest', join(foreign, 'manifest.json'), '--target', targetUrl(name)]
    const result = await restore([...args, '--yes'], {}, `\n${link}\n`)
    expect(result.code, result.stderr).toBe(0)
    expect(await query(name, 'SELECT count(*)::int AS n FROM "Billing"."Invoice Lines"')).toEqual([
      { n: 750 },
    ])
    expect(result.stderr + result.stdout).not.toContain('secret-token')

    const empty = await restore([...args, '--yes'], {}, '\n')
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain('read nothing from stdin')
    // Piped, so no terminal to confirm on: without --yes nothing is changed.
    const unconfirmed = await restore(args, {}, `${link}\n`)
    expect(unconfirmed.code).not.toBe(0)
    expect(unconfirmed.stderr).toContain('pass --yes')
    expect(unconfirmed.stderr).not.toContain('secret-token')
    // A terminal would echo the pasted link to stderr, which is not one here: refused.
    const echoed = await restore([...args, '--yes'], {}, `${link}\n`, true)
    expect(echoed.code).toBe(2)
    expect(echoed.stderr).toContain('stderr is not one')
    expect(echoed.stderr).not.toContain('secret-token')
    expect(await databases(name)).toEqual([name])
  })

  it('restores latest and an id from the configured local storage', async () => {
    const dir = join(work.dir, 'store')
    const manifest = JSON.parse(readFileSync(join(foreign, 'manifest.json'), 'utf8')) as Manifest
    const storage = createLocalStorage({
      dir,
      publicUrl: 'http://localhost:3000',
      linkSecret: null,
    })
    const upload = await storage.beginSnapshot(manifest.id)
    await pipeline(createReadStream(join(foreign, 'dump.sql.gz')), upload.dump)
    await upload.commit(manifest)
    const stored = work.write(
      'stored.yml',
      `rules: ${JSON.stringify(rulesPath)}\nstorage:\n  kind: local\n  dir: ${JSON.stringify(dir)}\n`,
    )
    const name = targetName('stored')
    const latest = await restore([
      'latest',
      '--target',
      targetUrl(name),
      '--yes',
      '--config',
      stored,
    ])
    expect(latest.stderr).toContain(`Restored snapshot ${manifest.id}`)
    expect(latest.code).toBe(0)
    const byId = await restore([
      manifest.id,
      '--target',
      targetUrl(name),
      '--yes',
      '--config',
      stored,
    ])
    expect(byId.code, byId.stderr).toBe(0)
    expect(await databases(name)).toEqual([name, `${name}__previous`])
    const unknown = await restore([
      '20200101T000000Z-0000',
      '--target',
      targetUrl(name),
      '--yes',
      '--config',
      stored,
    ])
    expect(unknown.stderr).toMatch(/No snapshot "20200101T000000Z-0000"/)
    expect(unknown.code).not.toBe(0)
  })

  it('restores latest from S3 storage (a real s3rver)', async () => {
    const s3 = await startS3Server(['dumps'])
    vi.stubEnv('AWS_ACCESS_KEY_ID', s3rverCredentials.accessKeyId)
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', s3rverCredentials.secretAccessKey)
    try {
      const manifest = JSON.parse(readFileSync(join(foreign, 'manifest.json'), 'utf8')) as Manifest
      const upload = await s3.storage({ prefix: 'team/' }).beginSnapshot(manifest.id)
      await pipeline(createReadStream(join(foreign, 'dump.sql.gz')), upload.dump)
      await upload.commit(manifest)
      const stored = work.write(
        's3.yml',
        `rules: ${JSON.stringify(rulesPath)}\nstorage:\n  kind: s3\n  bucket: dumps\n  prefix: team/\n  endpoint: ${s3.endpoint}\n  forcePathStyle: true\n  region: us-east-1\n`,
      )
      const name = targetName('s3')
      const result = await restore([
        'latest',
        '--target',
        targetUrl(name),
        '--yes',
        '--config',
        stored,
      ])
      expect(result.stderr).toContain(`Restored snapshot ${manifest.id}`)
      expect(result.code).toBe(0)
      expect(await query(name, 'SELECT count(*)::int AS n FROM "Billing"."Invoice Lines"')).toEqual(
        [{ n: 750 }],
      )
    } finally {
      vi.unstubAllEnvs()
      await s3.stop()
    }
  })

  it('refuses a link without a manifest unless --unverified, and says an expired link has expired', async () => {
    const name = targetName('unverified')
    const link = `${baseUrl}/snapshots/dump.sql.gz?X-Amz-Signature=secret-token`
    const refused = await restore([link, '--target', targetUrl(name), '--yes'])
    expect(refused.stderr).toMatch(/no manifest\.json.*--manifest FILE.*--unverified/s)
    expect(refused.code).toBe(20)
    const expired = await restore([
      `${baseUrl}/x?X-Amz-Signature=old-token`,
      '--target',
      targetUrl(name),
      '--yes',
    ])
    expect(expired.stderr).toMatch(/HTTP 403.*new one with \/dump latest/)
    expect(expired.code).toBe(26)
    expect(expired.stderr).not.toContain('old-token')
    const unverified = await restore([link, '--unverified', '--target', targetUrl(name), '--yes'])
    expect(unverified.stderr).toMatch(/warning: no manifest/)
    expect(unverified.code).toBe(0)
  })

  it('refuses a damaged dump, found while it loads: the target is untouched and the scratch database dropped', async () => {
    const name = targetName('checksum')
    expect((await restore([foreign, '--target', targetUrl(name), '--yes'])).code).toBe(0)
    await query(
      name,
      "INSERT INTO public.feature_flags (name, enabled) VALUES ('marker-kept', true)",
    )
    const manifest = JSON.parse(readFileSync(join(foreign, 'manifest.json'), 'utf8'))
    const dir = snapshotFolder('tampered', readFileSync(join(foreign, 'dump.sql.gz')), manifest)
    const dump = readFileSync(join(dir, 'dump.sql.gz'))
    dump.writeUInt8(dump.readUInt8(dump.length >> 1) ^ 0xff, dump.length >> 1)
    writeFileSync(join(dir, 'dump.sql.gz'), dump)
    const result = await restore([dir, '--target', targetUrl(name), '--yes'])
    // The damage breaks the gunzip stream first; the checksum is what is reported.
    expect(result.stderr).toMatch(
      /unchanged.*removed.*does not match its manifest.*never swapped in/s,
    )
    expect(result.code).toBe(21)
    expect(await marker(name)).toEqual(['marker-kept'])
    expect(await databases(name)).toEqual([name])
  })

  it('refuses a dump that loads cleanly when its sha256 differs from the manifest, and swaps nothing in', async () => {
    const name = targetName('digest')
    const manifest = JSON.parse(readFileSync(join(foreign, 'manifest.json'), 'utf8'))
    const dir = snapshotFolder(
      'other-digest',
      readFileSync(join(foreign, 'dump.sql.gz')),
      manifest,
      (m) => {
        m.dump.sha256 = '0'.repeat(64)
      },
    )
    const result = await restore([dir, '--target', targetUrl(name), '--yes'])
    expect(result.stderr).toMatch(/does not match its manifest.*sha256 0{64}.*never swapped in/s)
    expect(result.code).toBe(21)
    expect(await databases(name)).toEqual([])
  })

  it('refuses a dump whose size differs from its manifest before anything is created', async () => {
    const name = targetName('size')
    const manifest = JSON.parse(readFileSync(join(foreign, 'manifest.json'), 'utf8'))
    const dir = snapshotFolder(
      'short',
      readFileSync(join(foreign, 'dump.sql.gz')),
      manifest,
      (m) => {
        m.dump.bytes += 1
      },
    )
    const result = await restore([dir, '--target', targetUrl(name), '--yes'])
    expect(result.stderr).toMatch(/does not match its manifest.*nothing was changed/s)
    expect(result.stderr).not.toMatch(/half-made/)
    expect(result.code).toBe(21)
    expect(await databases(name)).toEqual([])
  })

  it('refuses a remote host unless restore.allowedTargets lists it', async () => {
    const result = await restore([
      foreign,
      '--target',
      'postgres://db.example.com/app_dev',
      '--yes',
    ])
    expect(result.stderr).toMatch(/db\.example\.com is not this machine.*restore\.allowedTargets/s)
    expect(result.code).toBe(20)
  })

  it('refuses a target on the server the snapshot came from, loudly', async () => {
    const name = targetName('same')
    const result = await restore([sameServer, '--target', targetUrl(name), '--yes'])
    expect(result.stderr).toMatch(/REFUSED: .*same system identifier/)
    expect(result.code).toBe(20)
    expect(await databases(name)).toEqual([])
  })

  it('refuses a name in restore.protectedDatabases', async () => {
    const name = targetName('protected')
    const guarded = work.write(
      'guarded.yml',
      `rules: ${JSON.stringify(rulesPath)}\nrestore:\n  protectedDatabases: [${JSON.stringify(name)}]\n`,
    )
    const result = await restore([
      foreign,
      '--target',
      targetUrl(name),
      '--yes',
      '--config',
      guarded,
    ])
    expect(result.stderr).toMatch(/protected database.*restore\.protectedDatabases/)
    expect(result.code).toBe(20)
    expect(await databases(name)).toEqual([])
  })

  it('asks for confirmation: without a terminal and without --yes, it refuses', async () => {
    const result = await restore([foreign, '--target', targetUrl(targetName('noyes'))])
    expect(result.stderr).toMatch(/pass --yes/)
    expect(result.code).toBe(20)
  })

  it('on a terminal, shows the target and goes on only when the database name is typed', async () => {
    const name = targetName('typed')
    const run = async (typed: string) => {
      let stderr = ''
      const stdin = Object.assign(new PassThrough(), { isTTY: true })
      const err = Object.assign(
        new Writable({
          write(chunk, _enc, done) {
            stderr += String(chunk)
            if (stderr.includes('to go on: ') && !stdin.writableEnded) stdin.end(`${typed}\n`)
            done()
          },
        }),
        { isTTY: true },
      )
      const code = await main(['restore', foreign, '--target', targetUrl(name)], {
        stdout: new PassThrough(),
        stderr: err,
        env: { PATH: process.env.PATH, DUMPLING_CONFIG: config },
        stdin,
      })
      return { code, stderr }
    }
    const wrong = await run('app_dev')
    expect(wrong.stderr).toMatch(
      /host +127\.0\.0\.1\n +port +\d+\n +database +\S+typed\n +snapshot +\S+ of /,
    )
    expect(wrong.stderr).toContain('Not confirmed: nothing was changed.')
    expect(wrong.code).toBe(20)
    expect(await databases(name)).toEqual([])
    const right = await run(name)
    expect(right.code, right.stderr).toBe(0)
    expect(await databases(name)).toEqual([name])
  })

  it('leaves the old database intact and no leftover database when the load fails halfway', async () => {
    const name = targetName('halfway')
    expect((await restore([foreign, '--target', targetUrl(name), '--yes'])).code).toBe(0)
    await query(
      name,
      "INSERT INTO public.feature_flags (name, enabled) VALUES ('marker-old', true)",
    )
    const text = gunzipSync(readFileSync(join(foreign, 'dump.sql.gz'))).toString('utf8')
    // A row that cannot load, in the middle of the data: the last users block.
    const at = text.lastIndexOf('COPY "public"."users"')
    const eol = text.indexOf('\n', at)
    const broken = `${text.slice(0, eol + 1)}not-a-row\n${text.slice(eol + 1)}`
    const manifest = JSON.parse(readFileSync(join(foreign, 'manifest.json'), 'utf8'))
    const dir = snapshotFolder('broken', gzipSync(broken), manifest)
    const result = await restore([dir, '--target', targetUrl(name), '--yes'])
    expect(result.stderr).toMatch(/restore failed and was undone.*unchanged.*removed/s)
    expect(result.code).toBe(24)
    expect(await marker(name)).toEqual(['marker-old'])
    expect(await databases(name)).toEqual([name])
  })

  it('refuses psql meta-commands other than \\restrict and \\unrestrict, and undoes the load', async () => {
    const name = targetName('meta')
    const dump = work.write('meta.sql.gz', '')
    writeFileSync(
      dump,
      gzipSync(
        '\\restrict k1\nCREATE TABLE public.a (x int);\n\\unrestrict k1\n\\connect other\nCREATE TABLE public.b (x int);\n',
      ),
    )
    const result = await restore([dump, '--unverified', '--target', targetUrl(name), '--yes'])
    expect(result.stderr).toMatch(/meta-command \\connect \(near line 4\)/)
    expect(result.code).toBe(24)
    expect(await databases(name)).toEqual([])
  })

  it('names missing extensions with how to add them, before any change', async () => {
    const name = targetName('ext')
    const dump = join(work.dir, 'ext.sql.gz')
    writeFileSync(
      dump,
      gzipSync(
        'CREATE EXTENSION IF NOT EXISTS citext;\nCREATE EXTENSION IF NOT EXISTS "no_such_ext" WITH SCHEMA public;\n',
      ),
    )
    const result = await restore([dump, '--unverified', '--target', targetUrl(name), '--yes'])
    expect(result.stderr).toMatch(
      /does not have: no_such_ext\. Install it .*PostgreSQL \d+.*Nothing was changed/s,
    )
    expect(result.code).toBe(25)
    expect(await databases(name)).toEqual([])
  })

  it('analyzes each partition once, as it loads, and the partitioned table over its whole tree', async () => {
    const rows = (from: number, to: number) =>
      Array.from(
        { length: to - from },
        (_, i) => `${from + i}\t${from + i}\tvalue ${(from + i) % 37}`,
      )
    const dump = [
      "SET client_encoding = 'UTF8';",
      'CREATE TABLE public.m (id bigint NOT NULL, k integer NOT NULL, v text) PARTITION BY RANGE (k);',
      'CREATE TABLE public.m_1 (id bigint NOT NULL, k integer NOT NULL, v text);',
      'CREATE TABLE public.m_2 (id bigint NOT NULL, k integer NOT NULL, v text);',
      'ALTER TABLE ONLY public.m ATTACH PARTITION public.m_1 FOR VALUES FROM (0) TO (1000);',
      'ALTER TABLE ONLY public.m ATTACH PARTITION public.m_2 FOR VALUES FROM (1000) TO (2000);',
      'CREATE TABLE public.plain (id integer NOT NULL, v text);',
      'COPY public.m_1 (id, k, v) FROM stdin;',
      ...rows(0, 1000),
      '\\.',
      'COPY public.plain (id, v) FROM stdin;',
      ...rows(0, 500).map((r) => r.replace(/^\d+\t/, '')),
      '\\.',
      'COPY public.m_2 (id, k, v) FROM stdin;',
      ...rows(1000, 1600),
      '\\.',
      'ALTER TABLE ONLY public.m ADD CONSTRAINT m_pkey PRIMARY KEY (id, k);',
      'ALTER TABLE ONLY public.m_1 ADD CONSTRAINT m_1_pkey PRIMARY KEY (id, k);',
      'CREATE INDEX plain_v ON public.plain USING btree (v);',
      'ALTER TABLE ONLY public.m_2 ADD CONSTRAINT m_2_pkey PRIMARY KEY (id, k);',
      'ALTER INDEX public.m_pkey ATTACH PARTITION public.m_1_pkey;',
      'ALTER INDEX public.m_pkey ATTACH PARTITION public.m_2_pkey;',
      '',
    ].join('\n')
    const base = JSON.parse(readFileSync(join(foreign, 'manifest.json'), 'utf8')) as Manifest
    const dir = snapshotFolder('partitioned', gzipSync(dump), base, (m) => {
      m.tables = [
        { name: 'public.m_1', data: 'dump', rows: 1000, bytes: 0 },
        { name: 'public.m_2', data: 'dump', rows: 600, bytes: 0 },
        { name: 'public.plain', data: 'dump', rows: 500, bytes: 0 },
      ] as Manifest['tables']
    })
    const name = targetName('parts')
    const result = await restore([dir, '--target', targetUrl(name), '--yes', '--jobs', '2'])
    expect(result.code, result.stderr).toBe(0)
    // Each table, partition and partitioned table analyzed exactly once: the
    // partitioned table's own ANALYZE did not analyze its partitions again.
    expect(
      await query(
        name,
        'SELECT relname, analyze_count::int AS n FROM pg_stat_user_tables ORDER BY relname',
      ),
    ).toEqual([
      { relname: 'm', n: 1 },
      { relname: 'm_1', n: 1 },
      { relname: 'm_2', n: 1 },
      { relname: 'plain', n: 1 },
    ])
    // The partitioned table's statistics cover the whole tree; each partition has its own.
    expect(
      await query(
        name,
        `SELECT tablename, inherited, n_distinct::float8 AS d FROM pg_stats
          WHERE schemaname = 'public' AND attname = 'id' ORDER BY tablename`,
      ),
    ).toEqual([
      { tablename: 'm', inherited: true, d: -1 },
      { tablename: 'm_1', inherited: false, d: -1 },
      { tablename: 'm_2', inherited: false, d: -1 },
      { tablename: 'plain', inherited: false, d: -1 },
    ])
    expect(
      await query(
        name,
        "SELECT reltuples::int AS n FROM pg_class WHERE relname IN ('m_1', 'm_2') ORDER BY relname",
      ),
    ).toEqual([{ n: 1000 }, { n: 600 }])
    expect(await query(name, constraintsSql)).toEqual([
      { c: 'm m_pkey p' },
      { c: 'm_1 m_1_pkey p' },
      { c: 'm_2 m_2_pkey p' },
    ])
  })

  it('gives the new database and every object in it to --owner', async () => {
    const name = targetName('owned')
    const role = targetName('owner')
    await withPgClient(server.adminUrl, (c) => c.query(`CREATE ROLE ${role} NOLOGIN`))
    try {
      const result = await restore([foreign, '--owner', role, '--target', targetUrl(name), '--yes'])
      expect(result.code, result.stderr).toBe(0)
      const owners = await query<{ owner: string }>(
        name,
        `SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class
          WHERE relnamespace::regnamespace::text IN ('public', 'audit', '"Billing"')
         UNION SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()`,
      )
      expect(owners).toEqual([{ owner: role }])
      const missing = await restore([
        foreign,
        '--owner',
        'no_such_role',
        '--target',
        targetUrl(name),
        '--yes',
      ])
      expect(missing.stderr).toMatch(/--owner no_such_role: there is no such role/)
      expect(missing.code).toBe(2)
    } finally {
      await withPgClient(server.adminUrl, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        await c.query(`DROP ROLE ${role}`)
      })
    }
  })

  it('names open sessions and keeps them without --force-disconnect; ends them with it', async () => {
    const name = targetName('busy')
    expect((await restore([foreign, '--target', targetUrl(name), '--yes'])).code).toBe(0)
    const session = new pg.Client({
      connectionString: targetUrl(name),
      application_name: 'rails-console',
    })
    session.on('error', () => {})
    await session.connect()
    try {
      const refused = await restore([foreign, '--target', targetUrl(name), '--yes'])
      expect(refused.stderr).toMatch(
        /pid \d+ on \S+busy: user postgres, application "rails-console".*--force-disconnect/s,
      )
      expect(refused.code).toBe(22)
      expect((await session.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }])
      expect(await databases(name)).toEqual([name])
      const forced = await restore([
        foreign,
        '--target',
        targetUrl(name),
        '--yes',
        '--force-disconnect',
      ])
      expect(forced.code, forced.stderr).toBe(0)
      await expect(session.query('SELECT 1')).rejects.toThrow()
    } finally {
      await session.end().catch(() => {})
    }
  })
})

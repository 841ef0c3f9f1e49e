import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load-config.js'
import { AppError } from '../../src/errors.js'
import type { Manifest } from '../../src/snapshot/manifest.js'
import { runSnapshot } from '../../src/snapshot/run-snapshot.js'
import { testKey } from '../helpers/compile-for-test.js'
import { createDatabase, type TestDatabase, testServer } from '../helpers/databases.js'
import { describeWithIsal } from '../helpers/isal-addon.js'
import { runCli } from '../helpers/run-cli.js'
import { createWorkdir } from '../helpers/workdir.js'

const execFileAsync = promisify(execFile)
const rulesPath = resolve('test/fixtures/rules.yml')
const work = createWorkdir()
const server = testServer()
let source: TestDatabase
const created: TestDatabase[] = []

function configWith(compressor: string): string {
  return work.write(
    `${compressor}.yml`,
    `source:\n  url: \${DUMPLING_SOURCE_URL}\nrules: ${JSON.stringify(rulesPath)}\nsnapshot:\n  compressor: ${compressor}\n`,
  )
}

async function snapshot(compressor: string) {
  const output = join(work.dir, `snap-${compressor}`)
  const result = await runCli(
    ['snapshot', '--config', configWith(compressor), '--output', output],
    {
      DUMPLING_SOURCE_URL: source.url,
      DUMPLING_ANON_KEY: testKey,
    },
  )
  expect(result.code, result.stderr).toBe(0)
  const manifest = JSON.parse(readFileSync(join(output, 'manifest.json'), 'utf8')) as Manifest
  return { ...result, output, dump: join(output, 'dump.sql.gz'), manifest }
}

/**
 * The dump's lines, sorted: tables finish in any order, and pg_dump's \restrict
 * key and the snapshot's id and time differ between two runs.
 */
function sqlLinesOf(dump: string, manifest: Manifest): string[] {
  return gunzipSync(readFileSync(dump))
    .toString('utf8')
    .replaceAll(manifest.id, 'ID')
    .replaceAll(manifest.createdAt, 'TIME')
    .split('\n')
    .filter((line) => !/^\\(un)?restrict /.test(line))
    .sort()
}

beforeAll(async () => {
  source = await createDatabase()
})

afterAll(async () => {
  await Promise.all([source, ...created].map((db) => db?.drop()))
  work.remove()
})

describeWithIsal('snapshot.compressor: isa-l', () => {
  let isal: Awaited<ReturnType<typeof snapshot>>
  let zlib: Awaited<ReturnType<typeof snapshot>>

  beforeAll(async () => {
    isal = await snapshot('isa-l')
    zlib = await snapshot('zlib')
  })

  it('names the compressor and level in the manifest and the summary line', () => {
    expect(isal.manifest.dump.compressor).toEqual({ name: 'isa-l', level: 2 })
    expect(isal.stderr).toMatch(/compressed \(ISA-L level 2\), in /)
    expect(zlib.manifest.dump.compressor).toEqual({ name: 'zlib', level: 1 })
    expect(zlib.stderr).toMatch(/compressed \(zlib level 1\), in /)
  })

  it('writes the same SQL as zlib, in gzip members of its own', () => {
    expect(readFileSync(isal.dump).equals(readFileSync(zlib.dump))).toBe(false)
    const lines = sqlLinesOf(isal.dump, isal.manifest)
    expect(lines.length).toBeGreaterThan(1000)
    expect(lines).toEqual(sqlLinesOf(zlib.dump, zlib.manifest))
  })

  it('restores with gunzip -c | psql -v ON_ERROR_STOP=1', async () => {
    const db = await createDatabase({ from: 'empty' })
    created.push(db)
    const psql = join(server.pgBin, 'psql')
    const { stderr } = await execFileAsync('sh', [
      '-c',
      `gunzip -c "$1" | "$2" -X -q -v ON_ERROR_STOP=1 -d "$3"`,
      'restore',
      isal.dump,
      psql,
      db.url,
    ])
    expect(stderr).toBe('')
    const [users] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM public.users')
    const [expected] = await source.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM public.users',
    )
    expect(users?.n).toBe(expected?.n)
    expect(users?.n).toBeGreaterThan(100)
  })

  it('restores with dumpling restore, which checks every table count', async () => {
    // The harness's own snapshot comes from this server, which restore refuses as
    // production: the copy's manifest names another source.
    const folder = join(work.dir, 'foreign-isal')
    mkdirSync(folder)
    writeFileSync(join(folder, 'dump.sql.gz'), readFileSync(isal.dump))
    const manifest = structuredClone(isal.manifest)
    manifest.source.systemIdentifier = '1'
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify(manifest))
    const name = `${server.databasePrefix}isal`
    const target = new URL(server.adminUrl)
    target.pathname = `/${name}`
    const result = await runCli(['restore', folder, '--target', target.toString(), '--yes'], {
      DUMPLING_CONFIG: configWith('isa-l'),
    })
    expect(result.stderr).toMatch(/Restored snapshot \S+ into .*: 9 tables, [\d,]+ rows/)
    expect(result.code).toBe(0)
  })
})

describe('snapshot.compressor without the ISA-L addon', () => {
  const empty = join(work.dir, 'no-addon')
  mkdirSync(empty, { recursive: true })
  const config = (compressor: string) =>
    loadConfig({
      path: configWith(compressor),
      env: { DUMPLING_SOURCE_URL: source.url, DUMPLING_ANON_KEY: testKey },
    })

  it('isa-l fails before anything is written, saying what is missing and how to install it', async () => {
    const outputDir = join(work.dir, 'refused')
    const run = runSnapshot({ config: config('isa-l'), outputDir, nativeDir: empty })
    await expect(run).rejects.toThrow(AppError)
    await expect(run).rejects.toMatchObject({ code: 'config_invalid' })
    await expect(run).rejects.toThrow(
      /snapshot\.compressor is isa-l, but the ISA-L addon is not built \(no .*no-addon\/isal-gzip\.node\).*apt-get install libisal-dev.*brew install isa-l.*npm run build.*auto or zlib/,
    )
    expect(existsSync(outputDir)).toBe(false)
  })

  it('auto falls back to zlib, and says so in the manifest', async () => {
    const outputDir = join(work.dir, 'auto-without')
    const manifest = await runSnapshot({ config: config('auto'), outputDir, nativeDir: empty })
    expect(manifest.dump.compressor).toEqual({ name: 'zlib', level: 1 })
    expect(gunzipSync(readFileSync(join(outputDir, 'dump.sql.gz'))).toString()).toContain(
      'COPY "public"."users"',
    )
  })

  it('auto warns when an addon is there but does not load, and uses zlib', async () => {
    const broken = join(work.dir, 'broken-addon')
    mkdirSync(broken, { recursive: true })
    writeFileSync(join(broken, 'isal-gzip.node'), 'not a shared library')
    const outputDir = join(work.dir, 'auto-broken')
    const warnings: string[] = []
    const manifest = await runSnapshot({
      config: config('auto'),
      outputDir,
      nativeDir: broken,
      onEvent: (e) => {
        if (e.type === 'warning' && /zlib|ISA-L/.test(e.message)) warnings.push(e.message)
      },
    })
    expect(manifest.dump.compressor).toEqual({ name: 'zlib', level: 1 })
    expect(warnings).toEqual([
      expect.stringMatching(
        /^Compressing with zlib, which costs more CPU: the ISA-L addon at .*broken-addon\/isal-gzip\.node does not load: .*libisal2/,
      ),
    ])
  })

  it('auto says nothing when no addon was built', async () => {
    const warnings: string[] = []
    await runSnapshot({
      config: config('auto'),
      outputDir: join(work.dir, 'auto-quiet'),
      nativeDir: empty,
      onEvent: (e) => {
        if (e.type === 'warning' && /zlib|ISA-L/.test(e.message)) warnings.push(e.message)
      },
    })
    expect(warnings).toEqual([])
  })
})

describe('snapshot.compressor in dumpling.yml', () => {
  it('refuses an unknown compressor, naming the line and the choices', () => {
    expect(() =>
      loadConfig({
        path: configWith('fast'),
        env: { DUMPLING_SOURCE_URL: source.url, DUMPLING_ANON_KEY: testKey },
      }),
    ).toThrow(/fast\.yml:5:\d+: snapshot\.compressor: .*"auto"\|"isa-l"\|"zlib"/)
  })

  it('defaults to auto', () => {
    const config = loadConfig({
      path: work.write('plain.yml', `rules: ${JSON.stringify(rulesPath)}\n`),
      env: {},
    })
    expect(config.snapshot.compressor).toBe('auto')
  })
})

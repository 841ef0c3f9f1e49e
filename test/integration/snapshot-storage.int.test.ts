import { createHash, randomBytes } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { loadConfig } from '../../src/config/load-config.js'
import { runSnapshot } from '../../src/snapshot/run-snapshot.js'
import { createDownloadHandler } from '../../src/storage/download-handler.js'
import { createLocalStorage } from '../../src/storage/local-storage.js'
import { testKey } from '../helpers/compile-for-test.js'
import { createDatabase, restoreDump, type TestDatabase } from '../helpers/databases.js'
import { runCli } from '../helpers/run-cli.js'
import { s3rverCredentials, startS3Server, type TestS3Server } from '../helpers/s3-server.js'
import { createWorkdir } from '../helpers/workdir.js'

const rulesPath = resolve('test/fixtures/rules.yml')
const work = createWorkdir()
const linkSecret = randomBytes(32).toString('base64')
let source: TestDatabase
let s3: TestS3Server
const created: TestDatabase[] = []

const baseConfig = `source:\n  url: \${DUMPLING_SOURCE_URL}\nrules: ${JSON.stringify(rulesPath)}\nsnapshot:\n  workers: 0\n`

beforeAll(async () => {
  source = await createDatabase()
  s3 = await startS3Server(['dumps'])
  // The AWS SDK reads its default credential chain; for s3rver, the environment.
  vi.stubEnv('AWS_ACCESS_KEY_ID', s3rverCredentials.accessKeyId)
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', s3rverCredentials.secretAccessKey)
})

afterAll(async () => {
  vi.unstubAllEnvs()
  await Promise.all([source, ...created].map((db) => db?.drop()))
  await s3?.stop()
  work.remove()
})

const env = () => ({
  DUMPLING_SOURCE_URL: source.url,
  DUMPLING_ANON_KEY: testKey,
  DUMPLING_LINK_SECRET: linkSecret,
})

async function restoresCleanly(dump: Buffer): Promise<void> {
  const path = join(work.dir, `${randomBytes(4).toString('hex')}.sql.gz`)
  writeFileSync(path, dump)
  const db = await createDatabase({ from: 'empty' })
  created.push(db)
  const result = await restoreDump(path, db)
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM public.users')
  expect(row?.n).toBeGreaterThan(100)
}

describe('dumpling snapshot, list and link with the default local storage', () => {
  const dir = join(work.dir, 'local')
  const config = join(dir, 'dumpling.yml')

  it('stores into ./snapshots next to dumpling.yml, lists it, and links it (audited)', async () => {
    mkdirSync(dir, { recursive: true })
    writeFileSync(config, baseConfig)

    const taken = await runCli(['snapshot', '--config', config], env())
    expect(taken.stderr).toMatch(/Stored in .*local\/snapshots\./)
    expect(taken.code).toBe(0)
    const id = taken.stdout.trim()
    expect(existsSync(join(dir, 'snapshots', 'snapshots', id, 'manifest.json'))).toBe(true)

    const listed = await runCli(['list', '--config', config], env())
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(
      new RegExp(`^ID +AGE +SIZE +TABLES +ROWS\\n${id} +0m +[\\d.]+ MB +\\d+ +[\\d,]+\\n$`),
    )

    const linked = await runCli(['link', 'latest', '--config', config], env())
    expect(linked.code).toBe(0)
    const url = linked.stdout.trim()
    expect(url).toMatch(/^http:\/\/localhost:3000\/download\/[\w-]+\.[\w-]{43}$/)
    // The link never reaches the log line or the audit record.
    expect(linked.stderr).not.toContain(url.split('/download/')[1])
    const auditDir = join(dir, 'snapshots', 'audit')
    const [auditFile] = readdirSync(auditDir)
    const audit = JSON.parse(readFileSync(join(auditDir, auditFile ?? ''), 'utf8'))
    expect(audit).toMatchObject({
      actor: { kind: 'cli' },
      command: 'dumpling link',
      arguments: 'latest',
      decision: { allowed: true },
      snapshotId: id,
    })
    expect(JSON.stringify(audit)).not.toContain('/download/')

    // Served through the download handler, the link gives the exact dump, which restores.
    const storage = createLocalStorage({
      dir: join(dir, 'snapshots'),
      publicUrl: 'http://unused',
      linkSecret,
    })
    const server: Server = createServer(createDownloadHandler({ storage, secret: linkSecret }))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const port = (server.address() as AddressInfo).port
      const res = await fetch(url.replace('http://localhost:3000', `http://127.0.0.1:${port}`))
      expect(res.status).toBe(200)
      const body = Buffer.from(await res.arrayBuffer())
      const manifest = await storage.getManifest(id)
      expect(createHash('sha256').update(body).digest('hex')).toBe(manifest.dump.sha256)
      await restoresCleanly(body)
    } finally {
      await new Promise((r) => server.close(r))
    }
  })

  it('says so when a link is asked for an unknown id (exit 15) or in an empty storage (exit 16)', async () => {
    const unknown = await runCli(['link', '20200101T000000Z-0000', '--config', config], env())
    expect(unknown.code).toBe(15)
    expect(unknown.stderr).toMatch(/No snapshot "20200101T000000Z-0000".*dumpling list/)
    expect(unknown.stdout).toBe('')
    const emptyConfig = join(work.dir, 'empty.yml')
    writeFileSync(emptyConfig, `${baseConfig}storage:\n  kind: local\n  dir: ./empty-store\n`)
    const empty = await runCli(['link', '--config', emptyConfig], env())
    expect(empty.code).toBe(16)
    expect(empty.stderr).toMatch(/no snapshot in .*empty-store yet.*dumpling snapshot/)
  })

  it('prints no link when the audit record cannot be stored (exit 18)', async () => {
    // A file where audit/ should be: the durable write fails (even as root).
    const auditDir = join(dir, 'snapshots', 'audit')
    renameSync(auditDir, `${auditDir}.moved`)
    writeFileSync(auditDir, 'not a folder')
    try {
      const result = await runCli(['link', '--config', config], env())
      expect(result.code).toBe(18)
      expect(result.stderr).toMatch(/could not be audited.*no link was made/)
      expect(result.stdout).toBe('')
      expect(result.stderr).not.toContain('/download/')
    } finally {
      rmSync(auditDir)
      renameSync(`${auditDir}.moved`, auditDir)
    }
  })

  it('refuses a local link without DUMPLING_LINK_SECRET, and prints nothing on stdout', async () => {
    const { DUMPLING_LINK_SECRET: _, ...noSecret } = env()
    const result = await runCli(['link', '--config', config], noSecret)
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/DUMPLING_LINK_SECRET is not set/)
    expect(result.stdout).toBe('')
  })
})

describe('dumpling snapshot into S3 storage', () => {
  const config = (bucket = 'dumps') =>
    work.write(
      `s3-${bucket}.yml`,
      `${baseConfig}storage:\n  kind: s3\n  bucket: ${bucket}\n  prefix: team/\n  endpoint: ${s3.endpoint}\n  forcePathStyle: true\n  region: us-east-1\nretention:\n  keep: 2\n`,
    )

  it('streams the dump into the bucket, applies retention, and the presigned link restores', async () => {
    const ids: string[] = []
    let lastStderr = ''
    for (let i = 0; i < 3; i++) {
      const taken = await runCli(['snapshot', '--config', config()], env())
      expect(taken.stderr).toMatch(/Stored in s3:\/\/dumps\/team\/\./)
      expect(taken.code).toBe(0)
      ids.push(taken.stdout.trim())
      lastStderr = taken.stderr
      // Ids have one-second resolution: keep them in order.
      await new Promise((r) => setTimeout(r, 1100))
    }
    const listed = await runCli(['list', '--config', config()], env())
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(' ')[0]),
    ).toEqual([ids[2], ids[1]])
    // The third run's retention (keep: 2) removed the first snapshot.
    expect(lastStderr).toContain(`Retention removed 1: ${ids[0]}.`)
    const linked = await runCli(['link', '--config', config()], env())
    expect(linked.code).toBe(0)
    const res = await fetch(linked.stdout.trim())
    expect(res.status).toBe(200)
    expect(res.headers.get('content-disposition')).toMatch(
      new RegExp(`^attachment; filename="dumpling_[0-9a-f_]+-${ids[2]}\\.sql\\.gz"$`),
    )
    await restoresCleanly(Buffer.from(await res.arrayBuffer()))
  })

  it('stops before reading a row when the bucket is missing (exit 11)', async () => {
    const result = await runCli(['snapshot', '--config', config('nope-nope')], env())
    expect(result.code).toBe(11)
    expect(result.stderr).toMatch(/nope-nope does not exist/)
  })

  it('leaves no visible snapshot when the run fails mid-upload', async () => {
    const storage = s3.storage({ prefix: 'failing/' })
    const run = runSnapshot({
      config: loadConfig({ path: config(), env: env() }),
      target: storage,
      onEvent: (e) => {
        if (e.type === 'phase' && e.phase === 'data') {
          source
            .query(
              "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'dumpling' AND datname = current_database()",
            )
            .catch(() => {})
        }
      },
    })
    await expect(run).rejects.toMatchObject({ code: 'dump_failed' })
    expect(await storage.list()).toEqual([])
    expect(await storage.latest()).toBeNull()
  })
})

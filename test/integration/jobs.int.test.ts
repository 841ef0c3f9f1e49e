import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Writable } from 'node:stream'
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3'
import nock from 'nock'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { parse, stringify } from 'yaml'
import { type Config, loadConfig } from '../../src/config/load-config.js'
import { isAppError } from '../../src/errors.js'
import { createJobs } from '../../src/jobs/create-jobs.js'
import { createVerifiers } from '../../src/jobs/create-verifiers.js'
import { readJobState } from '../../src/jobs/job-state.js'
import { handler } from '../../src/jobs/runners/lambda-handler.js'
import { createSchedule, withSchedule } from '../../src/jobs/schedule.js'
import {
  runSnapshotJob,
  type SnapshotJobOptions,
  startSnapshotJob,
} from '../../src/jobs/snapshot-job.js'
import { tryLockSource } from '../../src/jobs/source-lock.js'
import { unavailableStep, type Verifiers } from '../../src/jobs/verify-steps.js'
import { createLogger } from '../../src/logger.js'
import { postScheduledRun } from '../../src/slack/post-scheduled-run.js'
import { createStorage } from '../../src/storage/create-storage.js'
import type { SnapshotStorage } from '../../src/storage/storage.js'
import { testKey } from '../helpers/compile-for-test.js'
import { createDatabase, type TestDatabase, testServer } from '../helpers/databases.js'
import { runCli } from '../helpers/run-cli.js'
import { s3rverCredentials, startS3Server } from '../helpers/s3-server.js'
import { createWorkdir } from '../helpers/workdir.js'

const rulesPath = resolve('test/fixtures/rules.yml')
const work = createWorkdir()
const sources: TestDatabase[] = []
const log = createLogger({
  level: 'info',
  destination: new Writable({ write: (_c, _e, done) => done() }) as never,
})
const noChecks: Verifiers = {
  restore: unavailableStep('not under test here'),
  leakScan: unavailableStep('not under test here'),
}

afterAll(async () => {
  nock.cleanAll()
  nock.enableNetConnect()
  vi.unstubAllEnvs()
  await Promise.all(sources.map((db) => db.drop()))
  work.remove()
})

/** A source database of its own, and a config whose storage is a folder of its own. */
async function setup(
  name: string,
  extra = '',
): Promise<{
  source: TestDatabase
  config: Config
  storage: SnapshotStorage
  path: string
  env: NodeJS.ProcessEnv
}> {
  const source = await createDatabase()
  sources.push(source)
  const path = work.write(
    `${name}.yml`,
    `rules: ${JSON.stringify(rulesPath)}\nsnapshot:\n  workers: 0\nstorage:\n  kind: local\n  dir: ./${name}\njobs:\n  progressSeconds: 0.2\n${extra}`,
  )
  const env = { DUMPLING_SOURCE_URL: source.url, DUMPLING_ANON_KEY: testKey }
  const config = loadConfig({ path, env })
  return { source, config, storage: createStorage(config), path, env }
}

/**
 * The same config with one column's rule changed (a leak, a fake that breaks a constraint),
 * and the failure of one job run under it.
 */
async function failedRunWithRule(
  name: string,
  base: { path: string; env: NodeJS.ProcessEnv; storage: SnapshotStorage },
  table: string,
  column: string,
  rule: unknown,
): Promise<unknown> {
  const rules = parse(readFileSync(rulesPath, 'utf8'))
  rules.tables[table].columns[column] = rule
  const rulesFile = work.write(`${name}.rules.yml`, stringify(rules))
  const path = work.write(
    `${name}.yml`,
    readFileSync(base.path, 'utf8').replace(/^rules: .*$/m, `rules: ${JSON.stringify(rulesFile)}`),
  )
  const config = loadConfig({ path, env: base.env })
  return runSnapshotJob({
    config,
    storage: base.storage,
    log,
    startedBy: 'schedule',
    verifiers: createVerifiers(config),
  }).then(
    () => null,
    (e: unknown) => e,
  )
}

/** Test-restore databases still on the server: each run must drop its own. */
async function scratchDatabasesLeft(source: TestDatabase): Promise<number> {
  const rows = await source.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_database WHERE datname LIKE 'dumpling_verify_%'",
  )
  return rows[0]?.n ?? -1
}

describe('single flight across processes (the advisory lock on the source)', () => {
  it('runs one of two concurrent snapshots; the other is told who runs it and since when', async () => {
    const { config, storage } = await setup('two')
    const run = (startedBy: string) =>
      runSnapshotJob({ config, storage, log, startedBy, verifiers: noChecks })
    const results = await Promise.allSettled([run('U0FIRST'), run('U0SECOND')])
    const done = results.filter((r) => r.status === 'fulfilled')
    const refused = results.filter((r) => r.status === 'rejected')
    expect(done).toHaveLength(1)
    expect(refused).toHaveLength(1)
    const err = (refused[0] as PromiseRejectedResult).reason
    expect(isAppError(err) && err.code).toBe('job_running')
    const winner = results[0]?.status === 'fulfilled' ? 'U0FIRST' : 'U0SECOND'
    expect(err.message).toMatch(
      new RegExp(`${winner}@\\S+ has been running one since \\d{4}-\\d\\d-\\d\\dT`),
    )
    expect(await storage.list()).toHaveLength(1)
  })

  it('dumpling snapshot elsewhere (into storage or a folder) exits 40 naming the holder, and writes nothing', async () => {
    const { source, path, env, storage } = await setup('held')
    const held = await tryLockSource(source.url, 'schedule', new Date('2026-11-27T02:00:00Z'))
    if (!held.ok) throw new Error('the lock should be free')
    try {
      const result = await runCli(['snapshot', '--config', path], env)
      expect(result.code).toBe(40)
      expect(result.stderr).toMatch(
        /A snapshot is already running: schedule@\S+ has been running one since 2026-11-27T02:00:00.000Z/,
      )
      expect(await storage.list()).toEqual([])
      // A snapshot into a folder reads the source too: it waits its turn the same way.
      const folder = join(work.dir, 'held-output')
      const output = await runCli(['snapshot', '--config', path, '--output', folder], env)
      expect(output.code).toBe(40)
      expect(existsSync(join(folder, 'dump.sql.gz'))).toBe(false)
    } finally {
      await held.lock.release()
    }
    // Released: the next one runs.
    expect((await runCli(['snapshot', '--config', path], env)).code).toBe(0)
  })
})

describe('progress in storage', () => {
  it('writes jobs/current.json while running, and another replica reports the same job', async () => {
    const { config, storage } = await setup('progress')
    const replica = createJobs({ config, storage: createStorage(config), log })
    const start = await startSnapshotJob({
      config,
      storage,
      log,
      startedBy: 'U0LEAD',
      verifiers: noChecks,
    })
    if (!start.started) throw new Error('should start')
    const seen = await waitFor(async () => (await replica.status()).running)
    expect(seen.startedBy).toBe('U0LEAD')
    expect(seen.startedAt.getTime()).toBe(start.job.startedAt.getTime())
    // The other replica does not start a second one: the lock says who holds it.
    const second = await replica.start('U0OTHER')
    expect(second.started).toBe(false)
    if (!second.started) expect(second.running.startedBy).toBe('U0LEAD')
    const { manifest } = await start.done
    const state = await readJobState(storage)
    expect(state).toMatchObject({
      runId: start.runId,
      state: 'succeeded',
      phase: 'done',
      snapshotId: manifest.id,
      startedBy: 'U0LEAD',
    })
    expect(state?.rows).toBeGreaterThan(0)
    expect(state?.tablesDone).toBe(state?.tablesTotal)
    expect(manifest.verified).toEqual({
      restore: 'skipped',
      leakScan: 'skipped',
      notes: [
        'test restore skipped: not under test here',
        'leak scan skipped: not under test here',
      ],
    })
    const status = await replica.status()
    expect(status.running).toBeNull()
    expect(status.last?.ok && status.last.manifest.id).toBe(manifest.id)
  })
})

describe('progress in S3 storage', () => {
  it('keeps jobs/current.json under the prefix, next to snapshots/', async () => {
    const { config } = await setup('s3-progress')
    const s3 = await startS3Server(['dumps'])
    try {
      const storage = s3.storage({ prefix: 'team/' })
      expect(await readJobState(storage)).toBeNull()
      const { manifest } = await runSnapshotJob({
        config,
        storage,
        log,
        startedBy: 'U0LEAD',
        verifiers: noChecks,
      })
      expect(await readJobState(storage)).toMatchObject({
        state: 'succeeded',
        snapshotId: manifest.id,
      })
      const client = new S3Client({
        endpoint: s3.endpoint,
        forcePathStyle: true,
        region: 'us-east-1',
        credentials: s3rverCredentials,
      })
      const head = await client.send(
        new HeadObjectCommand({ Bucket: 'dumps', Key: 'team/jobs/current.json' }),
      )
      expect(head.ContentType).toBe('application/json')
      await expect(storage.readJobObject('../audit/x.json')).rejects.toThrow(
        /not a job object name/,
      )
    } finally {
      await s3.stop()
    }
  })
})

describe('aborting', () => {
  it('a source connection terminated mid-COPY: no visible snapshot, lock released, failure reported', async () => {
    const { source, config, storage } = await setup('terminated')
    // Enough rows that the COPY of public.users is still running when it is cut.
    await source.query(
      `INSERT INTO public.users (email, username, full_name, created_at, external_id)
       SELECT 'bulk' || g || '@example.test', 'bulk' || g, 'Bulk Person ' || g, now(), gen_random_uuid()
         FROM generate_series(1, 300000) g`,
    )
    let terminated: Promise<number> | null = null
    const err = await failedRun({
      config,
      storage,
      onEvent: (event) => {
        if (event.type === 'phase' && event.phase === 'data') terminated ??= terminateCopy(source)
      },
    })
    expect(await terminated).toBeGreaterThan(0)
    expect(isAppError(err) && err.code).toBe('dump_failed')
    expect(await storage.list()).toEqual([])
    const dir = join(config.storage.kind === 'local' ? config.storage.dir : '', 'snapshots')
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([])
    const state = await readJobState(storage)
    expect(state?.state).toBe('failed')
    // The first session to fail names it: the server's "terminating connection", or, when
    // pg saw the socket close before the query's error, its "connection error".
    expect(state?.reason).toMatch(/Copying the data failed: .*(terminat|connection error)/i)
    const again = await tryLockSource(source.url, 'test')
    expect(again.ok).toBe(true)
    if (again.ok) await again.lock.release()
  })

  it('the lock session lost mid-run: the run stops, nothing is published, exit code 44', async () => {
    const { source, config, storage } = await setup('lock-lost')
    let cut: Promise<unknown> | null = null
    const err = await failedRun({
      config,
      storage,
      onEvent: (event) => {
        if (event.type === 'phase' && event.phase === 'schema') {
          cut ??= source.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name LIKE 'dumpling-job %'`,
          )
        }
      },
    })
    await cut
    expect(isAppError(err) && err.code).toBe('lock_lost')
    expect(await storage.list()).toEqual([])
    expect((await readJobState(storage))?.reason).toMatch(/job lock on the source was lost/)
  })

  it('SIGTERM (an aborted signal) mid-run: interrupted, nothing published, lock released', async () => {
    const { source, config, storage } = await setup('sigterm')
    const stop = new AbortController()
    const err = await failedRun({
      config,
      storage,
      signal: stop.signal,
      onEvent: (event) => {
        if (event.type === 'phase' && event.phase === 'schema') stop.abort()
      },
    })
    expect(isAppError(err) && err.code).toBe('interrupted')
    expect(await storage.list()).toEqual([])
    expect((await readJobState(storage))?.state).toBe('failed')
    const again = await tryLockSource(source.url, 'test')
    expect(again.ok).toBe(true)
    if (again.ok) await again.lock.release()
  })
})

describe('publish only what was verified', () => {
  it('a dump failing a check is not published; the previous snapshot stays latest', async () => {
    const { config, storage } = await setup('gate', 'verify:\n  restore: required\n')
    const { manifest: previous } = await runSnapshotJob({
      config,
      storage,
      log,
      startedBy: 'U0LEAD',
      verifiers: {
        restore: async () => ({ passed: true }),
        leakScan: async () => ({ passed: true }),
      },
    })
    expect(previous.verified).toEqual({ restore: 'passed', leakScan: 'passed', notes: [] })
    const { AppError } = await import('../../src/errors.js')
    const failing: Verifiers = {
      restore: async ({ readBack }) => {
        // The dump can be read back before it is published.
        const first = await (await readBack()).toArray()
        expect(Buffer.concat(first).length).toBeGreaterThan(0)
        throw new AppError('verify_failed', 'The test restore failed at TABLE public.users.')
      },
      leakScan: async () => ({ passed: true }),
    }
    await expect(
      runSnapshotJob({ config, storage, log, startedBy: 'schedule', verifiers: failing }),
    ).rejects.toThrow(/test restore failed at TABLE public.users/)
    expect((await storage.latest())?.id).toBe(previous.id)
    expect((await storage.list()).map((m) => m.id)).toEqual([previous.id])
    expect((await readJobState(storage))?.reason).toMatch(/public\.users/)
    // restore: required without a way to restore: nothing is published either.
    await expect(
      runSnapshotJob({ config, storage, log, startedBy: 'schedule', verifiers: noChecks }),
    ).rejects.toMatchObject({ code: 'verify_unavailable' })
    expect((await storage.list()).map((m) => m.id)).toEqual([previous.id])
  })
})

describe('the leak scan before publishing', () => {
  it('a dump with originals in it is not published; the previous snapshot stays latest', async () => {
    const { config, storage, path, env } = await setup('leak')
    const verifiers = createVerifiers(config)
    const { manifest: previous } = await runSnapshotJob({
      config,
      storage,
      log,
      startedBy: 'U0LEAD',
      verifiers,
    })
    expect(previous.verified?.leakScan).toBe('passed')
    const err = await failedRunWithRule(
      'leaky',
      { path, env, storage },
      'Billing.invoices',
      'billing_email',
      'keep',
    )
    expect(isAppError(err) && err.code).toBe('leak_found')
    expect((err as Error).message).toMatch(/Billing\.invoices\.billing_email/)
    expect((await storage.list()).map((m) => m.id)).toEqual([previous.id])
    expect((await readJobState(storage))?.reason).toMatch(/Billing\.invoices\.billing_email/)
  })
})

describe('a scheduled run', () => {
  it('tells the audit channel it started and what it published, or who already runs one', async () => {
    const { source, config, storage } = await setup('scheduled')
    const jobs = createJobs({ config, storage, log })
    const posts: string[] = []
    await postScheduledRun(jobs, (text) => posts.push(text))
    const latest = await storage.latest()
    expect(posts).toEqual([
      'Scheduled snapshot started.',
      `Scheduled snapshot ${latest?.id} is published (restore-tested, leak-scanned, ${latest?.tables.length} tables).`,
    ])
    const schedule = createSchedule({
      cron: '0 3 * * *',
      timezone: 'Europe/Berlin',
      fire: async () => {},
      log,
    })
    try {
      const next = (await withSchedule(jobs, schedule).status()).nextRun
      expect(next?.getTime()).toBe(schedule.nextRun()?.getTime())
      expect(next?.getUTCHours()).toBeOneOf([1, 2])
    } finally {
      schedule.stop()
    }
    const held = await tryLockSource(source.url, 'U0LEAD', new Date('2026-11-27T02:00:00Z'))
    if (!held.ok) throw new Error('the lock should be free')
    try {
      posts.length = 0
      await postScheduledRun(jobs, (text) => posts.push(text))
      expect(posts).toEqual([
        expect.stringMatching(
          /^Scheduled snapshot not started: one is already running, started by <@U0LEAD> on \S+ at 2026-11-27T02:00:00.000Z\.$/,
        ),
      ])
    } finally {
      await held.lock.release()
    }
  })
})

describe('the test restore before publishing', () => {
  it('restores into a scratch database on verify.restoreUrl, and drops it again', async () => {
    const scratchServer = `verify:\n  restore: required\n  restoreUrl: ${testServer().adminUrl}\n`
    const { source, config, storage } = await setup('restore', scratchServer)
    const { manifest: previous } = await runSnapshotJob({
      config,
      storage,
      log,
      startedBy: 'U0LEAD',
      verifiers: createVerifiers(config),
    })
    expect(previous.verified).toEqual({ restore: 'passed', leakScan: 'passed', notes: [] })
    expect(await scratchDatabasesLeft(source)).toBe(0)
  })

  it('a dump that fails its test restore is not published; the previous snapshot stays latest', async () => {
    const scratchServer = `verify:\n  restore: required\n  restoreUrl: ${testServer().adminUrl}\n`
    const { source, config, storage, path, env } = await setup('restore-fails', scratchServer)
    const { manifest: previous } = await runSnapshotJob({
      config,
      storage,
      log,
      startedBy: 'U0LEAD',
      verifiers: createVerifiers(config),
    })
    // A rule whose fakes break a CHECK constraint: the dump is written, but cannot load.
    const err = await failedRunWithRule(
      'restore-fails-bad',
      { path, env, storage },
      'public.users',
      'login_count',
      { transform: 'const', value: '-1' },
    )
    expect(isAppError(err) && err.code).toBe('verify_failed')
    expect((err as Error).message).toMatch(/users/)
    expect((await storage.list()).map((m) => m.id)).toEqual([previous.id])
    expect(await scratchDatabasesLeft(source)).toBe(0)
  })

  it("verify.restore auto uses a throwaway cluster of the machine's PostgreSQL binaries", async () => {
    const { config, storage } = await setup('auto-restore')
    const { manifest } = await runSnapshotJob({
      config,
      storage,
      log,
      startedBy: 'U0LEAD',
      verifiers: createVerifiers(config),
    })
    expect(manifest.verified).toEqual({ restore: 'passed', leakScan: 'passed', notes: [] })
    expect((await storage.getManifest(manifest.id)).verified?.restore).toBe('passed')
  })
})

describe('runners', () => {
  it('the Lambda runner invokes the function asynchronously; the handler runs the pipeline end to end', async () => {
    const { config, storage, path, env } = await setup(
      'lambda',
      'runner:\n  kind: lambda\n  functionName: dumpling-snapshot\n  region: eu-west-1\n',
    )
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE')
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret-for-tests')
    const invoked: Array<{ headers: Record<string, string>; body: unknown }> = []
    nock.disableNetConnect()
    nock.enableNetConnect(/127\.0\.0\.1|localhost/)
    nock('https://lambda.eu-west-1.amazonaws.com')
      .post('/2015-03-31/functions/dumpling-snapshot/invocations')
      .reply(function (_uri, body) {
        invoked.push({ headers: this.req.headers as Record<string, string>, body })
        return [202, '']
      })
    const jobs = createJobs({ config, storage, log })
    const start = await jobs.start('U0LEAD')
    expect(start.started).toBe(true)
    expect(invoked).toHaveLength(1)
    expect(invoked[0]?.headers['x-amz-invocation-type']).toBe('Event')
    expect(String(invoked[0]?.headers.authorization)).toMatch(/eu-west-1\/lambda\/aws4_request/)
    const payload = JSON.parse(String(invoked[0]?.body)) as { startedBy: string; runId: string }
    expect(payload.startedBy).toBe('U0LEAD')
    expect(payload.runId).toMatch(/^[a-z0-9]+-[0-9a-f]{8}$/)

    // What AWS would do next: call the handler with that payload, same config from env.
    for (const [k, v] of Object.entries({ ...env, DUMPLING_CONFIG: path })) vi.stubEnv(k, v)
    const result = await handler(payload, { getRemainingTimeInMillis: () => 900_000 })
    expect(result.ok).toBe(true)
    if (!start.started) return
    const outcome = await start.done
    expect(outcome.ok).toBe(true)
    if (outcome.ok && result.ok) expect(outcome.manifest.id).toBe(result.snapshotId)
    expect((await storage.latest())?.id).toBe(result.ok ? result.snapshotId : null)
    expect((await readJobState(storage))?.runId).toBe(payload.runId)

    // A refused invoke is a failed run, said in words.
    nock('https://lambda.eu-west-1.amazonaws.com')
      .post('/2015-03-31/functions/dumpling-snapshot/invocations')
      .reply(
        403,
        { Type: 'User', message: 'not authorized to perform: lambda:InvokeFunction' },
        {
          'x-amzn-errortype': 'AccessDeniedException',
        },
      )
    const refused = await jobs.start('U0LEAD')
    if (!refused.started) throw new Error('should have tried')
    expect(await refused.done).toEqual({
      ok: false,
      reason: expect.stringMatching(
        /^Could not invoke the Lambda function dumpling-snapshot: AccessDeniedException: .*Check runner\.functionName/,
      ),
    })
  })

  it('the command runner reports its exit in words', async () => {
    const { config, storage } = await setup(
      'command',
      `runner:\n  kind: command\n  argv: [${JSON.stringify(process.execPath)}, -e, "console.error('kubectl said no'); process.exit(3)"]\n`,
    )
    const jobs = createJobs({ config, storage, log })
    const start = await jobs.start('schedule')
    if (!start.started) throw new Error('should start')
    const outcome = await start.done
    expect(outcome).toEqual({
      ok: false,
      reason: expect.stringMatching(/exited with code 3: kubectl said no$/),
    })
  })
})

/** Start a run by `schedule` with no checks and return why it failed (null if it did not). */
async function failedRun(
  options: Pick<SnapshotJobOptions, 'config' | 'storage' | 'onEvent' | 'signal'>,
): Promise<unknown> {
  const started = await startSnapshotJob({
    ...options,
    log,
    startedBy: 'schedule',
    verifiers: noChecks,
  })
  if (!started.started) throw new Error('should start')
  return started.done.then(
    () => null,
    (e: unknown) => e,
  )
}

async function waitFor<T>(get: () => Promise<T | null>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    const value = await get()
    if (value) return value
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error('timed out')
}

/** Terminate the source's COPY sessions from the admin side, as a DBA or a failover would. */
async function terminateCopy(source: TestDatabase): Promise<number> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    const rows = await source.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND query LIKE 'COPY %' AND state = 'active'
          AND pid <> pg_backend_pid()`,
    )
    if ((rows[0]?.n ?? 0) > 0) return rows[0]?.n ?? 0
    await new Promise((r) => setTimeout(r, 5))
  }
  return 0
}

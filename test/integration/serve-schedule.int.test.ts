import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../src/bench/serve-bench.js'
import { tryLockSource } from '../../src/jobs/source-lock.js'
import { testKey } from '../helpers/compile-for-test.js'
import { createDatabase, type TestDatabase } from '../helpers/databases.js'
import { type SlackStub, startSlackStub } from '../helpers/slack.js'
import { createWorkdir } from '../helpers/workdir.js'

const cli = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url))
const rulesPath = fileURLToPath(new URL('../fixtures/rules.yml', import.meta.url))
const work = createWorkdir()
let stub: SlackStub
let source: TestDatabase
const secrets = {
  SLACK_BOT_TOKEN: `xoxb-9-9-${randomBytes(10).toString('hex')}`,
  SLACK_SIGNING_SECRET: randomBytes(20).toString('hex'),
  DUMPLING_LINK_SECRET: randomBytes(32).toString('base64'),
  DUMPLING_ANON_KEY: testKey,
}

beforeAll(async () => {
  stub = await startSlackStub()
  source = await createDatabase()
})

afterAll(async () => {
  await stub.close()
  await source.drop()
  work.remove()
})

/** `dumpling serve` as a process, with a schedule that fires every second. */
async function serve(
  name: string,
): Promise<{ child: ChildProcess; exited: Promise<number | null>; store: string }> {
  const config = work.write(
    `${name}.yml`,
    `rules: ${rulesPath}\nstorage: { kind: local, dir: ./${name} }\nslack: { teams: [T0ACME], auditChannel: C0AUDIT }\nsnapshot: { workers: 0 }\nschedule: { cron: "* * * * * *" }\njobs: { progressSeconds: 0.2 }\n`,
  )
  const child = spawn(process.execPath, [cli, 'serve', '--config', config], {
    env: {
      PATH: process.env.PATH,
      ...secrets,
      DUMPLING_SOURCE_URL: source.url,
      SLACK_API_URL: stub.apiUrl,
      PORT: String(await freePort()),
    },
    stdio: ['ignore', 'ignore', 'ignore'],
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { child, exited, store: join(work.dir, name) }
}

const toChannel = (text: string) => (p: { path: string; body: Record<string, unknown> }) =>
  p.path === '/api/chat.postMessage' &&
  p.body.channel === 'C0AUDIT' &&
  String(p.body.text).includes(text)

describe('dumpling serve with a schedule', () => {
  it('takes a snapshot on schedule, tells the audit channel, and stops on SIGTERM with exit 0', async () => {
    const { child, exited, store } = await serve('nightly')
    try {
      const [post] = await stub.waitFor(toChannel('is published'), 1, 30_000)
      expect(String(post?.body.text)).toMatch(
        /^Scheduled snapshot \d{8}T\d{6}Z-[0-9a-f]{4} is published \(restore-tested, leak-scanned, \d+ tables\)\./m,
      )
      const state = JSON.parse(readFileSync(join(store, 'jobs', 'current.json'), 'utf8'))
      expect(state.startedBy).toBe('schedule')
    } finally {
      child.kill('SIGTERM')
    }
    expect(await exited).toBe(0)
    // Whatever ran at SIGTERM let go of the lock.
    const lock = await tryLockSource(source.url, 'test')
    expect(lock.ok).toBe(true)
    if (lock.ok) await lock.lock.release()
  })
})

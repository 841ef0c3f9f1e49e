import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { testKey } from '../helpers/compile-for-test.js'
import { createDatabase, type TestDatabase } from '../helpers/databases.js'
import { runCli } from '../helpers/run-cli.js'
import { createWorkdir } from '../helpers/workdir.js'

type RulesDoc = {
  tables: Record<string, { columns: Record<string, unknown> }>
}
const fixtureRules = (): RulesDoc => parse(readFileSync('test/fixtures/rules.yml', 'utf8'))

const work = createWorkdir()
let db: TestDatabase

function writeConfig(name: string, rules: RulesDoc, extra = ''): string {
  const rulesFile = work.write(`${name}.rules.yml`, stringify(rules))
  return work.write(
    `${name}.yml`,
    `source:\n  url: \${DUMPLING_SOURCE_URL}\nrules: ${rulesFile}\n${extra}`,
  )
}

const env = () => ({ DUMPLING_SOURCE_URL: db.url, DUMPLING_ANON_KEY: testKey })

async function snapshotThenVerify(name: string, rules: RulesDoc) {
  const config = writeConfig(name, rules)
  const output = join(work.dir, name)
  const snap = await runCli(['snapshot', '--config', config, '--output', output], env())
  expect(snap.stderr).toMatch(/Snapshot /)
  expect(snap.code).toBe(0)
  const verify = await runCli(['verify', output, '--config', config], env())
  return { ...verify, output, config }
}

/** Originals of the fixture that a leaking dump holds; none may appear in any report. */
async function originals(): Promise<string[]> {
  const users = await db.query<{ email: string; phone: string; full_name: string }>(
    'SELECT email::text, phone, full_name FROM public.users',
  )
  return users.flatMap((u) => [u.email, u.phone, u.full_name])
}

describe('dumpling verify', () => {
  beforeAll(async () => {
    db = await createDatabase()
  })
  afterAll(async () => {
    await db.drop()
    work.remove()
  })

  it('passes on a snapshot taken with the fixture rules', async () => {
    const result = await snapshotThenVerify('good', fixtureRules())
    expect(result.stderr).toBe('')
    expect(result.stdout).toMatch(/^No original value found in .*dump\.sql\.gz\./)
    expect(result.stdout).toMatch(/Searched [\d,]+ distinct originals from \d+ transformed columns/)
    expect(result.stdout).toMatch(
      /\d+ under 7 characters, \d+ too common, \d+ that a fake could equal/,
    )
    expect(result.code).toBe(0)
  })

  it('fails naming table and column when a kept free-text column holds customer emails', async () => {
    const rules = fixtureRules()
    const users = rules.tables['public.users']?.columns ?? {}
    users.bio = 'keep'
    const result = await snapshotThenVerify('kept-bio', rules)
    expect(result.code).toBe(9)
    expect(result.stderr).toMatch(
      /public\.users\.bio: \d+ hits? of originals from .*public\.users\.email/,
    )
    for (const value of await originals()) expect(result.stderr).not.toContain(value)
  })

  it('fails naming the json column when a json path is left untransformed', async () => {
    const rules = fixtureRules()
    const payload = rules.tables['public.events']?.columns.payload as {
      paths: Record<string, unknown>
    }
    delete payload.paths['$.customer.phone']
    const result = await snapshotThenVerify('kept-phone-path', rules)
    expect(result.code).toBe(9)
    expect(result.stderr).toMatch(
      /public\.events_20\d\d\.payload: \d+ hits? of originals from .*public\.users\.phone/,
    )
    expect(result.stderr).not.toMatch(/public\.users\.(?!phone)\w+: /)
    for (const value of await originals()) expect(result.stderr).not.toContain(value)
  })

  it('snapshot --verify keeps nothing when originals leak, and keeps a clean dump', async () => {
    const rules = fixtureRules()
    const leaky = rules.tables['Billing.invoices']?.columns ?? {}
    leaky.billing_email = 'keep'
    // An email kept where users.email is transformed: the same originals, found in invoices.
    const config = writeConfig('snapshot-verify', rules)
    const output = join(work.dir, 'snapshot-verify')
    const bad = await runCli(
      ['snapshot', '--verify', '--config', config, '--output', output],
      env(),
    )
    expect(bad.code).toBe(9)
    expect(bad.stderr).toMatch(/Billing\.invoices\.billing_email: \d+ hits?/)
    expect(existsSync(join(output, 'dump.sql.gz'))).toBe(false)
    expect(existsSync(join(output, 'dump.sql.gz.partial'))).toBe(false)

    const goodOutput = join(work.dir, 'snapshot-verify-good')
    const good = await runCli(
      [
        'snapshot',
        '--verify',
        '--config',
        writeConfig('sv-good', fixtureRules()),
        '--output',
        goodOutput,
      ],
      env(),
    )
    expect(good.stderr).toMatch(/Verified: no original value found\./)
    expect(good.code).toBe(0)
    expect(existsSync(join(goodOutput, 'manifest.json'))).toBe(true)
  })

  it('snapshot --verify into storage publishes nothing on a leak; verify latest scans the stored one', async () => {
    const storage = `storage:\n  kind: local\n  dir: ${join(work.dir, 'verified-store')}\n`
    const rules = fixtureRules()
    const leaky = rules.tables['Billing.invoices']?.columns ?? {}
    leaky.billing_email = 'keep'
    const bad = await runCli(
      ['snapshot', '--verify', '--config', writeConfig('store-leaky', rules, storage)],
      env(),
    )
    expect(bad.code).toBe(9)
    expect(bad.stderr).toMatch(/Billing\.invoices\.billing_email: \d+ hits?/)
    const good = writeConfig('store-good', fixtureRules(), storage)
    const empty = await runCli(['list', '--config', good], env())
    expect(empty.stdout).not.toMatch(/\d{8}T\d{6}Z-/)

    const stored = await runCli(['snapshot', '--verify', '--config', good], env())
    expect(stored.stderr).toMatch(/Verified: no original value found\./)
    expect(stored.code).toBe(0)
    const id = stored.stdout.trim()
    const listed = await runCli(['list', '--config', good], env())
    expect(listed.stdout).toContain(id)

    const latest = await runCli(['verify', 'latest', '--config', good], env())
    expect(latest.stdout).toContain(`No original value found in snapshot ${id}.`)
    expect(latest.code).toBe(0)
  })
})

import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { createDatabase, type TestDatabase } from '../helpers/databases.js'
import { runCli } from '../helpers/run-cli.js'
import { createWorkdir } from '../helpers/workdir.js'

type RulesDoc = { tables: Record<string, { data?: string; columns?: Record<string, unknown> }> }
const fixtureRules = (): RulesDoc => parse(readFileSync('test/fixtures/rules.yml', 'utf8'))

const work = createWorkdir()
let db: TestDatabase

function writeConfig(name: string, rules: RulesDoc | string): string {
  const rulesText = typeof rules === 'string' ? rules : stringify(rules)
  const rulesFile = work.write(`${name}.rules.yml`, rulesText)
  return work.write(`${name}.yml`, `source:\n  url: \${DUMPLING_SOURCE_URL}\nrules: ${rulesFile}\n`)
}

const check = (config: string) =>
  runCli(['check', '--config', config], { DUMPLING_SOURCE_URL: db.url })

describe('dumpling check', () => {
  beforeAll(async () => {
    db = await createDatabase()
  })
  afterAll(async () => {
    await db.drop()
    work.remove()
  })

  it('passes on rules that classify every column', async () => {
    const result = await check(writeConfig('good', fixtureRules()))
    expect(result.stderr).not.toMatch(/problem/)
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/^Rules OK for dumpling_/)
  })

  it('reports every problem at once, each with its table, column and fix', async () => {
    const rules = fixtureRules()
    const users = rules.tables['public.users']?.columns ?? {}
    users.email = 'emial'
    users.emial = 'email'
    delete users.phone
    users.username = 'fullName'
    users.born_on = 'email'
    users.full_name = 'null'
    const documents = rules.tables['public.documents']?.columns ?? {}
    documents.user_id = { transform: 'number' }
    rules.tables['public.userz'] = { columns: { id: 'keep' } }
    rules.tables['public.events_2024'] = { columns: { id: 'keep' } }
    delete rules.tables['public.feature_flags']

    const result = await check(writeConfig('bad', rules))
    expect(result.code).toBe(4)
    const lines = [
      /public\.users\.email unknown transformer "emial". Known: keep, email/,
      /public\.users\.emial no such column\. Columns: id, email, username/,
      /public\.users\.phone \(text\) is not classified/,
      /public\.users\.username is under the unique index users_username_lower_key, but fullName/,
      /public\.users\.born_on email cannot produce a value of type date/,
      /public\.users\.full_name is NOT NULL, but null can yield NULL/,
      /public\.documents\.user_id references public\.users\.id \(foreign key [a-z_]+\), which uses keep; this column uses number\./,
      /public\.userz no such table\. Did you mean public\.users/,
      /public\.events_2024 is a partition of public\.events/,
      /public\.feature_flags has no rules\. Add it under rules\.tables with every column classified \(name, enabled/,
    ]
    for (const line of lines) expect(result.stderr).toMatch(line)
    expect(result.stderr).toMatch(/bad\.rules\.yml:\d+:\d+/)
  })

  it('refuses data: skip on a table that kept data references', async () => {
    const rules = fixtureRules()
    rules.tables['public.users'] = { data: 'skip' }
    const result = await check(writeConfig('skip', rules))
    expect(result.code).toBe(4)
    expect(result.stderr).toMatch(/references public\.users \(data: skip\) by foreign key/)
  })

  it('points at the line of invalid YAML', async () => {
    const result = await check(writeConfig('yaml', 'tables:\n  public.users:\n    columns: [\n'))
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/yaml\.rules\.yml:\d+:\d+: not valid YAML/)
  })

  it('names an unknown key and where it is', async () => {
    const result = await check(
      writeConfig('keys', 'tables:\n  public.users:\n    colums:\n      id: keep\n'),
    )
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(
      /keys\.rules\.yml:3:5: tables\.public\.users: Unrecognized key: "colums"/,
    )
  })

  it('says which variable is missing instead of using an empty URL', async () => {
    const config = writeConfig('env', fixtureRules())
    const result = await runCli(['check', '--config', config], {})
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/uses \$\{DUMPLING_SOURCE_URL\}, which is not set/)
  })

  it('refuses a password written into dumpling.yml', async () => {
    const config = work.write(
      'pw.yml',
      'source:\n  url: postgres://u:secret@db.internal/app\nrules: {tables: {}}\n',
    )
    const result = await runCli(['check', '--config', config], {})
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/pw\.yml:2:\d+: source\.url holds a password/)
    expect(result.stderr).not.toContain('secret')
  })
})

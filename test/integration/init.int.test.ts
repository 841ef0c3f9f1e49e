import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { testKey } from '../helpers/compile-for-test.js'
import { createDatabase, type TestDatabase } from '../helpers/databases.js'
import { runCli } from '../helpers/run-cli.js'
import { createWorkdir } from '../helpers/workdir.js'

type Rules = { tables: Record<string, { data?: string; columns?: Record<string, unknown> }> }

const work = createWorkdir()
let db: TestDatabase
const config = join(work.dir, 'dumpling.yml')
const rulesFile = join(work.dir, 'dumpling.rules.yml')

const env = () => ({ DUMPLING_SOURCE_URL: db.url })
const init = (...args: string[]) => runCli(['init', '--config', config, ...args], env())
const check = () => runCli(['check', '--config', config], { ...env(), DUMPLING_ANON_KEY: testKey })

/** The fixture's personal columns: every column its hand-written rules transform. */
function personalColumns(): string[] {
  const rules: Rules = parse(readFileSync('test/fixtures/rules.yml', 'utf8'))
  return Object.entries(rules.tables).flatMap(([table, t]) =>
    Object.entries(t.columns ?? {})
      .filter(([, rule]) => rule !== 'keep')
      .map(([column]) => `${table}.${column}`),
  )
}

describe('dumpling init', () => {
  let first: Awaited<ReturnType<typeof init>>
  let written: string

  beforeAll(async () => {
    db = await createDatabase()
    first = await init()
    written = existsSync(rulesFile) ? readFileSync(rulesFile, 'utf8') : ''
  })
  afterAll(async () => {
    await db.drop()
    work.remove()
  })

  it('writes rules and a dumpling.yml naming them, and check passes on them at once', async () => {
    expect(first.stderr).toBe('')
    expect(first.stdout).toMatch(
      /^Wrote rules for 9 tables and \d+ columns of dumpling_\w+ to .*dumpling\.rules\.yml: \d+ transformed/,
    )
    expect(first.code).toBe(0)
    expect(readFileSync(config, 'utf8')).toMatch(/rules: "dumpling\.rules\.yml"/)
    const result = await check()
    expect(result.stderr).toBe('')
    expect(result.stdout).toMatch(/^Rules OK/)
    expect(result.code).toBe(0)
  })

  it('gives every personal column of the fixture a transformer, with a why comment', () => {
    const rules: Rules = parse(written)
    const kept = personalColumns().filter((name) => {
      const [schema, table, column] = name.split(/\.(?=[^.]*$)|\.(?=.*\.)/)
      const spec = rules.tables[`${schema}.${table}`]?.columns?.[column ?? '']
      return spec === undefined || spec === 'keep'
    })
    expect(kept).toEqual([])
    expect(written).toMatch(/^ {6}email: email # the name matches "email"/m)
    expect(written).toMatch(
      /^ {10}\$\.customer\.name: fullName # the key matches "name in customer"/m,
    )
    expect(written).toMatch(/^ {4}# data: skip {3}# the name says "sessions"/m)
  })

  it('never writes a sampled value into the rules', async () => {
    const users = await db.query<{ email: string; phone: string; full_name: string; city: string }>(
      'SELECT email::text, phone, full_name, city FROM public.users',
    )
    for (const u of users) {
      for (const value of [u.email, u.phone, u.full_name, u.city])
        expect(written).not.toContain(value)
    }
    expect(written).not.toContain('alice-session-token-do-not-leak')
  })

  it('does not overwrite existing rules without --force, and says how', async () => {
    const again = await init()
    expect(again.code).toBe(10)
    expect(again.stderr).toMatch(
      /dumpling\.rules\.yml already exists\. Pass --update .* or --force/,
    )
    expect(readFileSync(rulesFile, 'utf8')).toBe(written)
  })

  it("--update adds a new column only and keeps the user's edits and comments", async () => {
    const edited = written
      .replace(/^( {6}city: )city #.*$/m, '$1keep # our cities are public offices')
      .replace(/^tables:$/m, '# Reviewed by the data team.\ntables:')
    writeFileSync(rulesFile, edited)
    await db.query('ALTER TABLE public.users ADD COLUMN nickname text')
    await db.query("UPDATE public.users SET nickname = 'nick' || id")
    const result = await init('--update')
    expect(result.stderr).toBe('')
    expect(result.stdout).toMatch(/^Added 1 column to .*: public\.users\.nickname\./)
    expect(result.code).toBe(0)
    const updated = readFileSync(rulesFile, 'utf8')
    const added = updated.split('\n').filter((line) => !edited.split('\n').includes(line))
    expect(added).toEqual([
      expect.stringMatching(
        /^ {6}nickname: username # new \(dumpling init --update, \d{4}-\d\d-\d\d\): the name matches "nickname"$/,
      ),
    ])
    expect(updated.replace(/^ {6}nickname: .*\n/m, '')).toBe(edited)
    const checked = await check()
    expect(checked.stderr).toBe('')
    expect(checked.code).toBe(0)
  })

  it('--update adds to rules written inline in dumpling.yml, keeping the rest of the file', async () => {
    const fixture = readFileSync('test/fixtures/rules.yml', 'utf8')
      .replace(/^ {6}notes: redact\n/m, '')
      .replace(/^/gm, '  ')
    const inline = join(work.dir, 'inline.yml')
    const text = `# our settings\nsource:\n  url: \${DUMPLING_SOURCE_URL}\nrules:\n${fixture}`
    writeFileSync(inline, text)
    const result = await runCli(['init', '--update', '--config', inline], env())
    expect(result.stdout).toMatch(
      /^Added \d columns? to .*inline\.yml, marked "new": public\.users\.notes[,.]/,
    )
    expect(result.stdout).not.toMatch(/users\.search/)
    expect(result.code).toBe(0)
    const updated = readFileSync(inline, 'utf8')
    expect(updated).toMatch(/^# our settings\nsource:\n {2}url: \$\{DUMPLING_SOURCE_URL\}\n/)
    expect(updated).toMatch(
      /^ {8}notes: text # new \(dumpling init --update, [\d-]+\): the name matches "notes"/m,
    )
    const checked = await runCli(['check', '--config', inline], {
      ...env(),
      DUMPLING_ANON_KEY: testKey,
    })
    expect(checked.code).toBe(0)
  })

  it('--update says so when nothing is new', async () => {
    const before = readFileSync(rulesFile, 'utf8')
    const result = await init('--update')
    expect(result.stdout).toMatch(
      /^Nothing new in dumpling_\w+: .* already lists every table and column\./,
    )
    expect(result.code).toBe(0)
    expect(readFileSync(rulesFile, 'utf8')).toBe(before)
  })
})

import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/run-cli.js'

const cli = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url))

/** The personal columns of the demo's dataset: each must change in every row shown. */
const personal = [
  'public.organizations billing_email',
  'public.organizations vat_number',
  'public.users email',
  'public.users full_name',
  'public.users phone',
  'public.users street_address',
  'public.users city',
  'public.users born_on',
  'public.users signup_ip',
  'public.orders shipping_address',
  'public.events payload $.user.email',
  'public.events payload $.user.name',
  'public.events payload $.user.phone',
  'public.events payload $.ip',
]

const folders: string[] = []
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/**
 * `dumpling demo` as a child process, with a TMPDIR of its own: everything it
 * makes lands there, so "nothing left behind" is "that folder is empty".
 */
function startDemo(): {
  child: ChildProcess
  tmp: string
  output: () => string
  exited: Promise<number | null>
} {
  const tmp = mkdtempSync(join(tmpdir(), 'dumpling-demo-test-'))
  // The servers run as nobody when the tests run as root: they must reach their folders.
  chmodSync(tmp, 0o755)
  folders.push(tmp)
  const child = spawn(process.execPath, [cli, 'demo'], {
    env: {
      PATH: process.env.PATH,
      TMPDIR: tmp,
      ...(process.env.PG_BIN ? { PG_BIN: process.env.PG_BIN } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let text = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8')
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8')
  })
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  return { child, tmp, output: () => text, exited }
}

/** Processes whose command line names `dir` (a postgres started there has `-D dir/…`). */
function processesUsing(dir: string): string[] {
  return execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' })
    .split('\n')
    .filter((args) => args.includes(dir))
}

/** The production → restored pairs of step 6, by `table column`. */
function comparedValues(text: string): Map<string, Array<[string, string]>> {
  const section = text.slice(text.indexOf('\n6. '), text.indexOf('Rows per table'))
  const pairs = new Map<string, Array<[string, string]>>()
  let table = ''
  for (const line of section.split('\n')) {
    const header = /^ {3}(\S+\.\S+) \(id \d+\)$/.exec(line)
    if (header?.[1]) table = header[1]
    const pair = /^ {5}(\S+(?: \$\S+)?) {2,}(.+?) {2}→ {2}(.+)$/.exec(line)
    if (pair?.[1] && pair[2] !== undefined && pair[3] !== undefined) {
      const key = `${table} ${pair[1]}`
      pairs.set(key, [...(pairs.get(key) ?? []), [pair[2].trim(), pair[3].trim()]])
    }
  }
  return pairs
}

describe('dumpling demo', () => {
  it('runs the whole loop, replaces every personal value, and leaves nothing behind', async () => {
    const demo = startDemo()
    const code = await demo.exited
    const text = demo.output()
    expect(code, text).toBe(0)

    // The signed /dump latest got an ephemeral reply with a three-minute link…
    expect(text).toMatch(/HTTP 200 in \d+ ms/)
    expect(text).toContain('(ephemeral: only the requester sees it)')
    expect(text).toMatch(/Download dump\.sql\.gz: http:\/\/localhost:\d+\/download\/\S+/)
    expect(text).toContain('The link expires in 3 minutes')
    // …that worked: the bytes downloaded are the manifest's, and restore loaded every row.
    const download = /Downloaded ([\d,]+) bytes, as many as the manifest says \(([\d,]+)\)/.exec(
      text,
    )
    expect(download?.[1]).toBe(download?.[2])
    const snapshotRows = /Snapshot \S+: 4 tables, ([\d,]+) rows/.exec(text)?.[1]
    expect(text).toContain(`app_dev: 4 tables, ${snapshotRows} rows`)
    const counts = [...text.matchAll(/^ {5}(public\.\w+) +([\d,]+) → ([\d,]+)$/gm)]
    expect(counts.map((m) => m[1]).sort()).toEqual([
      'public.events',
      'public.orders',
      'public.organizations',
      'public.users',
    ])
    for (const [, , before, after] of counts) expect(after).toBe(before)

    // Every personal column is shown, and differs in every row shown.
    const pairs = comparedValues(text)
    for (const column of personal) expect([...pairs.keys()]).toContain(column)
    for (const [column, values] of pairs) {
      for (const [before, after] of values) {
        expect(after, column).not.toBe(before)
        expect(['(missing)', 'NULL', ''], column).not.toContain(after)
      }
    }

    // The audit record says who asked and for what, never the link.
    const audit = text.slice(text.indexOf('The audit record'), text.indexOf('\n7. '))
    expect(audit).toMatch(/command +\/dump/)
    expect(audit).toMatch(/decision +\{"allowed":true\}/)
    expect(audit).toMatch(/actor +\{"kind":"slack","team":"T0DEMO".*"user":"U0DEMO"/)
    expect(audit).not.toContain('/download/')

    expect(text).toMatch(/Done in \d+\.\d s\./)
    expect(text).not.toContain('xoxb-')
    expect(readdirSync(demo.tmp)).toEqual([])
    expect(processesUsing(demo.tmp)).toEqual([])
  }, 180_000)

  it('on SIGINT stops the servers it started, removes its files and exits 130', async () => {
    const demo = startDemo()
    // Interrupt once dumpling serve is up: both clusters, the stand-in and serve are running.
    const deadline = Date.now() + 120_000
    let port: string | undefined
    while (!port && Date.now() < deadline && demo.child.exitCode === null) {
      port = /dumpling serve listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(demo.output())?.[1]
      await new Promise((r) => setTimeout(r, 20))
    }
    expect(port, demo.output()).toBeDefined()
    expect(processesUsing(demo.tmp).length).toBeGreaterThan(0)
    demo.child.kill('SIGINT')
    const code = await demo.exited
    expect(code, demo.output()).toBe(130)
    expect(demo.output()).toContain('Interrupted: the demo stopped everything it started')
    expect(demo.output()).not.toContain('\n7. ')
    expect(readdirSync(demo.tmp)).toEqual([])
    expect(processesUsing(demo.tmp)).toEqual([])
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow()
  }, 180_000)

  it('says in one sentence how to install PostgreSQL when its programs are missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dumpling-no-pg-'))
    folders.push(empty)
    const result = await runCli(['demo'], { PG_BIN: empty })
    expect(result.code).toBe(6)
    expect(result.stdout).toBe('')
    const message = result.stderr.trim()
    expect(message).toContain('initdb, pg_ctl, postgres, pg_dump were not found')
    expect(message).toContain('apt-get install postgresql')
    expect(message).toMatch(/^dumpling: [^\n]+\.$/)
    expect(message.slice(0, -1)).not.toMatch(/\.\s/)
  })
})

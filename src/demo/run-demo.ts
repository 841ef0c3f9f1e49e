import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { check } from '../cli/check.js'
import type { Cli } from '../cli/cli.js'
import { init } from '../cli/init.js'
import { restore } from '../cli/restore.js'
import { snapshot } from '../cli/snapshot.js'
import { loadConfig } from '../config/load-config.js'
import { AppError } from '../errors.js'
import { createStorage } from '../storage/create-storage.js'
import { askForLink, demoSlack } from './ask-for-link.js'
import { compareRows, countRows } from './compare-rows.js'
import { createDemoOutput } from './demo-output.js'
import { printAudit, printComparison, printCounts, printRules } from './demo-report.js'
import { loadProduction, requirePrograms, startServers, versionText } from './demo-servers.js'
import { downloadLink } from './download-link.js'
import { readAudit } from './read-audit.js'
import { transformedColumns } from './rule-summary.js'
import { createTeardown } from './teardown.js'
import { untilAborted } from './until-aborted.js'

export const demoHelp = `Usage: dumpling demo

The whole loop on this machine in one command, with no configuration, Slack
workspace or AWS account: a throwaway PostgreSQL server with a small
"production" database; dumpling init and check; a snapshot into a local folder
with a generated key; dumpling serve answering a signed /dump latest from a
local stand-in for Slack; the link downloaded and loaded by dumpling restore
into a second server; and rows from both side by side, with the audit record.
Everything it starts or writes is removed at the end, also on Ctrl-C (exit 130).
Needs PostgreSQL's server programs (initdb, pg_ctl, postgres, pg_dump).`

/** `dumpling demo`: returns the exit code; an interrupt ends it with AppError `interrupted`. */
export async function runDemo(cli: Cli): Promise<number> {
  requirePrograms(cli.env)
  const started = performance.now()
  const out = createDemoOutput(cli.stdout)
  const teardown = createTeardown()
  const interrupt = new AbortController()
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) return // already stopping; a second Ctrl-C must not cut it short
    out.say(`\n${signal}: stopping everything the demo started…`)
    interrupt.abort(
      new AppError(
        'interrupted',
        'Interrupted: the demo stopped everything it started and removed its files.',
      ),
    )
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  const step = <T>(work: Promise<T>) => untilAborted(work, interrupt.signal)
  let work = ''
  try {
    work = await mkdtemp(join(tmpdir(), 'dumpling-demo-'))
    const folder = work
    teardown.defer(() => rm(folder, { recursive: true, force: true }))

    out.step(1, 'Two throwaway PostgreSQL servers: "production", and one for your laptop')
    const { production, developer } = await step(startServers(teardown))
    out.say(
      `production: PostgreSQL ${versionText(production.serverVersion)} on port ${production.port}`,
    )
    out.say(
      `developer:  PostgreSQL ${versionText(developer.serverVersion)} on port ${developer.port}`,
    )
    const rows = await step(loadProduction(production))
    out.say(
      `Filled the production database: ${Object.entries(rows)
        .map(([table, n]) => `${n.toLocaleString('en')} ${table}`)
        .join(', ')} (users with unique emails, events with personal values in JSON).`,
    )

    out.step(
      2,
      'dumpling init suggests rules for every column; dumpling check compares them with the schema',
    )
    const configPath = join(work, 'dumpling.yml')
    await writeFile(configPath, demoConfig(developer.adminUrl))
    const env: NodeJS.ProcessEnv = {
      ...cli.env,
      DUMPLING_CONFIG: configPath,
      DUMPLING_SOURCE_URL: production.url('production'),
      DUMPLING_ANON_KEY: randomBytes(48).toString('base64'),
      DUMPLING_LINK_SECRET: randomBytes(32).toString('base64'),
    }
    const nested = out.cli(env)
    out.command('dumpling init')
    await step(init(nested, {}))
    const config = () => loadConfig({ env })
    const { columns, kept } = transformedColumns(config().rules)
    printRules(out, columns, kept)
    out.command('dumpling check')
    if ((await step(check(nested, {}))) !== 0)
      throw new Error('dumpling check failed on the rules init wrote.')

    out.step(3, 'dumpling snapshot, with a generated key, into a local folder')
    out.command('dumpling snapshot')
    await step(snapshot(nested, {}))
    const manifest = await createStorage(config()).latest()
    if (!manifest) throw new Error('dumpling snapshot stored no snapshot.')

    out.step(4, 'dumpling serve answers a signed /dump latest, sent as Slack would send it')
    const reply = await step(askForLink(env, teardown))
    out.say(`dumpling serve listens on ${reply.base}; a local stand-in plays Slack's Web API.`)
    out.say(
      `POST ${reply.base}/slack/events  /dump latest, from ${demoSlack.user} in ${demoSlack.channel}, signed`,
    )
    out.say(
      `HTTP ${reply.ackStatus} in ${Math.round(reply.ackMs)} ms (Slack wants it within 3 s). The reply (${reply.responseType}: only the requester sees it):`,
    )
    for (const line of reply.lines) out.say(`  │ ${line}`)
    const minutes = Math.round((reply.expiresAt.getTime() - Date.now()) / 60_000)
    out.say(
      `The link expires in ${minutes} minutes, at ${reply.expiresAt.toISOString().slice(11, 19)} UTC.`,
    )
    out.say('In real use a link is a bearer token: it is never logged or posted anywhere else.')
    out.say('This one is a throwaway on localhost, so the demo shows it.')

    out.step(
      5,
      'Download the link, and dumpling restore it into a database on the developer server',
    )
    const downloadDir = join(work, 'download')
    const bytes = await step(downloadLink(reply.link, manifest, downloadDir))
    out.say(
      `Downloaded ${bytes.toLocaleString('en')} bytes, as many as the manifest says (${manifest.dump.bytes.toLocaleString('en')}).`,
    )
    const target = developer.url('app_dev')
    out.command(
      `dumpling restore ${join(downloadDir, manifest.dump.file)} --target ${target} --yes`,
    )
    await step(restore(nested, join(downloadDir, manifest.dump.file), { target, yes: true }))

    out.step(6, 'Production vs restored: the same rows, every personal value replaced')
    const tables = Object.keys(config().rules.tables)
    printComparison(out, await step(compareRows(env.DUMPLING_SOURCE_URL ?? '', target, columns)))
    printCounts(out, await step(countRows(env.DUMPLING_SOURCE_URL ?? '', target, tables)))
    const [audit] = await step(readAudit(join(work, 'storage'), '/dump'))
    if (!audit) throw new Error('dumpling serve stored no audit record for /dump latest.')
    printAudit(out, audit)
  } catch (err) {
    if (interrupt.signal.aborted) throw interrupt.signal.reason
    throw err
  } finally {
    await teardown.close()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }

  out.step(7, 'Stopped dumpling serve, the Slack stand-in and both servers')
  out.say(
    `Removed ${work} and the servers' folders. Done in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  )
  out.say()
  out.say(nextSteps)
  return 0
}

/** dumpling.yml before init adds `rules:`: local storage, the test restore on the developer server, the allowlists. */
function demoConfig(restoreUrl: string): string {
  return `# Written by dumpling demo and removed when it ends. Secrets come from the environment.
source:
  url: \${DUMPLING_SOURCE_URL}
storage:
  kind: local
  dir: ./storage
verify:
  restoreUrl: ${restoreUrl}
slack:
  teams: [${demoSlack.team}]
  channels: [${demoSlack.channel}]
  users: [${demoSlack.user}]
  auditChannel: ${demoSlack.auditChannel}
`
}

const nextSteps = `Next, with your own database (README, "Quickstart"):
  1. Point DUMPLING_SOURCE_URL at a read replica or a read-only role, and make a key:
       export DUMPLING_SOURCE_URL='postgres://dumpling_ro@replica.internal:5432/app'
       export DUMPLING_ANON_KEY="$(openssl rand -base64 48)"
  2. Run dumpling init, review every rule it writes, then dumpling check.
  3. Create the Slack app from manifest.yml (README, "Slack app") and run dumpling serve.`

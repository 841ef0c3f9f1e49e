import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { check } from '../cli/check.js'
import type { Cli } from '../cli/cli.js'
import { init } from '../cli/init.js'
import { restore } from '../cli/restore.js'
import { snapshot } from '../cli/snapshot.js'
import { loadConfig } from '../config/load-config.js'
import { createStorage } from '../storage/create-storage.js'
import { askForLink, demoSlack } from './ask-for-link.js'
import { compareRows, countRows } from './compare-rows.js'
import type { DemoOutput } from './demo-output.js'
import { printAudit, printComparison, printCounts, printReply, printRules } from './demo-report.js'
import { loadProduction, startServers, versionText } from './demo-servers.js'
import { downloadLink } from './download-link.js'
import { readAudit } from './read-audit.js'
import { transformedColumns } from './rule-summary.js'
import type { Teardown } from './teardown.js'

export interface DemoContext {
  cli: Cli
  out: DemoOutput
  teardown: Teardown
  /** The demo's folder: dumpling.yml, the rules, storage/, download/. */
  work: string
  /** Wait for `work`, unless Ctrl-C comes first. */
  step<T>(work: Promise<T>): Promise<T>
}

/** Steps 1 to 6; what they start is stopped by the caller's teardown. */
export async function runSteps({ cli, out, teardown, work, step }: DemoContext): Promise<void> {
  out.step(1, 'Two throwaway PostgreSQL servers: "production", and one for your laptop')
  const { production, developer } = await step(startServers(teardown))
  const version = versionText(production.serverVersion)
  out.say(`production: PostgreSQL ${version} on port ${production.port}`)
  out.say(
    `developer:  PostgreSQL ${versionText(developer.serverVersion)} on port ${developer.port}`,
  )
  const rows = await step(loadProduction(production))
  const filled = Object.entries(rows).map(([table, n]) => `${n.toLocaleString('en')} ${table}`)
  out.say(`Filled "production" with ${filled.join(', ')}:`)
  out.say('unique emails, foreign keys, a sequence, and personal values inside JSON.')

  out.step(2, 'dumpling init suggests a rule for every column; dumpling check tries them')
  const configPath = join(work, 'dumpling.yml')
  await writeFile(configPath, demoConfig(developer.adminUrl))
  const sourceUrl = production.url('production')
  const env: NodeJS.ProcessEnv = {
    ...cli.env,
    DUMPLING_CONFIG: configPath,
    DUMPLING_SOURCE_URL: sourceUrl,
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
  if ((await step(check(nested, {}))) !== 0) {
    throw new Error('dumpling check found problems in the rules dumpling init wrote.')
  }

  out.step(3, 'dumpling snapshot, with a generated key, into a local folder')
  out.command('dumpling snapshot')
  await step(snapshot(nested, {}))
  const manifest = await createStorage(config()).latest()
  if (!manifest) throw new Error('dumpling snapshot stored no snapshot.')

  out.step(4, 'dumpling serve answers a signed /dump latest, sent as Slack would send it')
  // The bot needs no anonymization key to hand out links.
  const { DUMPLING_ANON_KEY: _key, ...serveEnv } = env
  const reply = await step(askForLink(serveEnv, teardown))
  printReply(out, reply)

  out.step(5, 'Download the link; dumpling restore loads it into the developer server')
  const dir = join(work, 'download')
  const bytes = await step(downloadLink(reply.link, manifest, dir))
  out.say(
    `Downloaded ${bytes.toLocaleString('en')} bytes, as many as the manifest says (${manifest.dump.bytes.toLocaleString('en')}).`,
  )
  const dump = join(dir, manifest.dump.file)
  const target = developer.url('app_dev')
  out.command(`dumpling restore ${dump} --target ${target} --yes`)
  await step(restore(nested, dump, { target, yes: true }))

  out.step(6, 'Production vs restored: the same rows, every personal value replaced')
  printComparison(out, await step(compareRows(sourceUrl, target, columns)))
  const tables = Object.keys(config().rules.tables)
  printCounts(out, await step(countRows(sourceUrl, target, tables)))
  const [audit] = await step(readAudit(join(work, 'storage'), '/dump'))
  if (!audit) throw new Error('dumpling serve stored no audit record for /dump latest.')
  printAudit(out, audit)
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

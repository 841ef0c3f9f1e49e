import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type Config, loadConfig, requireSourceUrl } from '../config/load-config.js'
import { AppError } from '../errors.js'
import type { PlannedTable } from '../rules/check-rules.js'
import { checkSource } from '../rules/check-source.js'
import type { SnapshotOptions } from '../snapshot/run-snapshot.js'
import { assertNoLeaks, formatVerifySummary, verifyDump } from '../verify/verify-dump.js'
import type { Cli } from './cli.js'

export const verifyHelp = `Usage: dumpling verify DIR [--config FILE]

Prove that no original value reached a snapshot: sample up to 1,000 distinct
originals from every column the rules transform (from the source as it is now),
then scan all of DIR/dump.sql.gz once for any of them, in every table and
column, inside JSON and free text. Prints where originals were found (table,
column, number of hits), never a value. Exits 0 when none was found, 9 when
some were. "dumpling snapshot --verify" does the same inside the snapshot.`

/** `dumpling verify DIR`: scan a finished snapshot for sampled originals. */
export async function verify(
  cli: Cli,
  args: { config?: string | undefined; dir?: string | undefined },
): Promise<number> {
  if (!args.dir) throw new AppError('usage', `dumpling verify needs a folder.\n\n${verifyHelp}`)
  const dumpPath = join(resolve(args.dir), 'dump.sql.gz')
  if (!existsSync(dumpPath)) {
    throw new AppError(
      'usage',
      `No snapshot in ${resolve(args.dir)}: ${dumpPath} is missing. Name the folder that "dumpling snapshot --output" wrote.`,
    )
  }
  const config = loadConfig({ path: args.config, env: cli.env })
  const url = requireSourceUrl(config)
  const tables = await plannedTables(config, url, cli)
  const report = await verifyDump({ url, tables, dumpPath })
  assertNoLeaks(report, dumpPath)
  cli.stdout.write(`No original value found in ${dumpPath}.\n${formatVerifySummary(report)}\n`)
  return 0
}

/** The dumped tables and their compiled rules; rule problems are reported but do not stop a scan. */
async function plannedTables(config: Config, url: string, cli: Cli): Promise<PlannedTable[]> {
  const { problems, tables } = await checkSource(config, url)
  if (problems.length > 0) {
    cli.stderr.write(
      `warning: the rules have ${problems.length} problem${problems.length === 1 ? '' : 's'} against the source now (run dumpling check); sampling the columns they classify.\n`,
    )
  }
  return tables.filter((t) => t.data === 'dump')
}

/** `snapshot --verify`: sample inside the snapshot's own exported snapshot, before the dump is kept. */
export function createVerifyHook(cli: Cli, config: Config): SnapshotOptions['verify'] {
  const url = requireSourceUrl(config)
  return async ({ snapshot, path, tables }) => {
    const report = await verifyDump({ url, snapshot, tables, dumpPath: path })
    assertNoLeaks(report, 'The snapshot')
    cli.stderr.write(`Verified: no original value found. ${formatVerifySummary(report)}\n`)
  }
}

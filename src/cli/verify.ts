import { createReadStream, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Readable } from 'node:stream'
import { type Config, loadConfig, requireSourceUrl } from '../config/load-config.js'
import { AppError } from '../errors.js'
import type { PlannedTable } from '../rules/check-rules.js'
import { checkSource } from '../rules/check-source.js'
import type { SnapshotOptions } from '../snapshot/run-snapshot.js'
import { createStorage } from '../storage/create-storage.js'
import { findSnapshot } from '../storage/find-snapshot.js'
import { isSnapshotId } from '../storage/keys.js'
import { assertNoLeaks, formatVerifySummary, verifyDump } from '../verify/verify-dump.js'
import type { Cli } from './cli.js'

export const verifyHelp = `Usage: dumpling verify [DIR | latest | ID] [--config FILE]

Prove that no original value reached a snapshot: sample up to 1,000 distinct
originals from every column the rules transform (from the source as it is now),
then scan the whole dump once for any of them, in every table and column, inside
JSON and free text. Prints where originals were found (table, column, number of
hits), never a value. Exits 0 when none was found, 9 when some were.

The snapshot: a folder that "dumpling snapshot --output" wrote, or "latest" (the
default) or an id from the configured storage. "dumpling snapshot --verify" does
the same inside the snapshot, before it is published.`

/** `dumpling verify`: scan a finished snapshot for sampled originals. */
export async function verify(
  cli: Cli,
  args: { config?: string | undefined; dir?: string | undefined },
): Promise<number> {
  const which = args.dir ?? 'latest'
  const config = loadConfig({ path: args.config, env: cli.env })
  const dump = await openSnapshot(config, which)
  const url = requireSourceUrl(config)
  const tables = await plannedTables(config, url, cli)
  const report = await verifyDump({ url, tables, openDump: dump.open })
  assertNoLeaks(report, dump.name)
  cli.stdout.write(`No original value found in ${dump.name}.\n${formatVerifySummary(report)}\n`)
  return 0
}

/** A folder (when one by that name exists), else `latest` or an id in the configured storage. */
async function openSnapshot(
  config: Config,
  which: string,
): Promise<{ name: string; open: () => Promise<Readable> }> {
  const dumpPath = join(resolve(which), 'dump.sql.gz')
  if (existsSync(dumpPath)) {
    return {
      name: dumpPath,
      open: async () => createReadStream(dumpPath, { highWaterMark: 1 << 20 }),
    }
  }
  if (which !== 'latest' && !isSnapshotId(which)) {
    throw new AppError(
      'usage',
      `"${which}" is neither a folder holding dump.sql.gz nor a snapshot id. Name the folder that "dumpling snapshot --output" wrote, "latest", or an id from "dumpling list".`,
    )
  }
  const storage = createStorage(config)
  const manifest = await findSnapshot(storage, which)
  return { name: `snapshot ${manifest.id}`, open: () => storage.openDump(manifest.id) }
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
  return async ({ snapshot, open, tables }) => {
    const report = await verifyDump({ url, snapshot, tables, openDump: open })
    assertNoLeaks(report, 'The snapshot')
    cli.stderr.write(`Verified: no original value found. ${formatVerifySummary(report)}\n`)
  }
}

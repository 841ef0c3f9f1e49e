import { loadConfig, requireSourceUrl } from '../config/load-config.js'
import { checkSource } from '../rules/check-source.js'
import { formatProblems } from '../rules/format-problems.js'
import type { Cli } from './cli.js'

export const checkHelp = `Usage: dumpling check [--config FILE]

Compare the rules with the live source schema and list every problem at once:
unclassified columns, unknown tables or columns, transformers that cannot
produce a column's type, non-unique transformers on unique columns, and more.
Exits 0 when a snapshot would run, 4 when the rules need work.`

/** `dumpling check`: the rules against the live schema, before the nightly run finds out. */
export async function check(cli: Cli, args: { config?: string | undefined }): Promise<number> {
  const config = loadConfig({ path: args.config, env: cli.env })
  const url = requireSourceUrl(config)
  const { catalog, problems, tables } = await checkSource(config, url)
  if (problems.length > 0) {
    cli.stderr.write(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in the rules for ${catalog.database}:\n${formatProblems(problems)}\n`,
    )
    return 4
  }
  const dumped = tables.filter((t) => t.data === 'dump').length
  const transformed = tables.reduce(
    (n, t) => n + t.columns.filter((c) => c.compiled.name !== 'keep').length,
    0,
  )
  cli.stdout.write(
    `Rules OK for ${catalog.database}: ${tables.length} tables (${dumped} with data), ${transformed} columns transformed.\n`,
  )
  if (!config.anonKey) {
    cli.stderr.write('Note: DUMPLING_ANON_KEY is not set; `dumpling snapshot` needs it.\n')
  }
  return 0
}

import { loadConfig, requireSourceUrl } from '../config/load-config.js'
import { withSource } from '../db/connect.js'
import { introspect } from '../db/introspect.js'
import { checkRules } from '../rules/check-rules.js'
import { formatProblems } from '../rules/format-problems.js'
import { createCompiler } from '../transformers/index.js'
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
  const catalog = await withSource(url, async (client) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY')
    return introspect(client)
  })
  // Checking compiles every rule but transforms nothing: any key will do.
  const { problems, tables } = checkRules(
    config.rules,
    catalog,
    createCompiler(config.anonKey ?? 'dumpling check compiles rules without transforming'),
    config.locateRule,
  )
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

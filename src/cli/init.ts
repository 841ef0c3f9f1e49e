import { findInitTarget } from '../config/init-target.js'
import { AppError } from '../errors.js'
import { runInit } from '../rules/run-init.js'
import type { Cli } from './cli.js'

export const initHelp = `Usage: dumpling init [--force | --update] [--config FILE]

Connect to the source (read-only) and write rules that list every column of
every table, so that "dumpling check" passes at once. Each column gets a
suggested transformer when its name or a few hundred sampled values look
personal (emails, names, phones, addresses, IPs, IBANs, card numbers, secrets;
json paths too), "keep" otherwise, and a comment saying why. Sampled values are
never written. Tables that look like sessions, tokens or logs get a commented
"data: skip".

The rules go to the file dumpling.yml names in "rules:", or to
dumpling.rules.yml (and a dumpling.yml pointing at it when there is none).

Options:
  --update       add only tables and columns that are new since the file was
                 written; every other line, edit and comment stays
  --force        replace existing rules with fresh suggestions
  --config FILE  dumpling.yml (default: DUMPLING_CONFIG, then ./dumpling.yml)
Exits 10 when the rules exist and neither option is given.`

/** `dumpling init`: parse, run, print. */
export async function init(
  cli: Cli,
  args: { config?: string | undefined; force?: boolean | undefined; update?: boolean | undefined },
): Promise<number> {
  if (args.force && args.update) {
    throw new AppError(
      'usage',
      '--force and --update exclude each other: --update keeps your edits, --force replaces them.',
    )
  }
  const target = findInitTarget({ path: args.config, env: cli.env })
  const result = await runInit({
    target,
    mode: args.force ? 'force' : args.update ? 'update' : 'create',
  })
  if (result.added !== null) {
    cli.stdout.write(
      result.added.length === 0
        ? `Nothing new in ${result.database}: ${result.rulesPath} already lists every table and column.\n`
        : `Added ${result.added.length} column${result.added.length === 1 ? '' : 's'} to ${result.rulesPath}, marked "new": ${result.added.join(', ')}.\nReview them, then run: dumpling check\n`,
    )
    return 0
  }
  const review = result.review > 0 ? `, ${result.review} marked REVIEW` : ''
  cli.stdout.write(
    `Wrote rules for ${result.tables} tables and ${result.columns} columns of ${result.database} to ${result.rulesPath}: ${result.transformed} transformed, the rest kept${review}.\n` +
      (result.configWritten ? `${target.configPath} now names it in "rules:".\n` : '') +
      'Review every line, then run: dumpling check\n',
  )
  return 0
}

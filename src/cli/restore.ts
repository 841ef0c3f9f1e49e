import { createInterface } from 'node:readline/promises'
import { loadRestoreConfig } from '../config/load-config.js'
import { AppError } from '../errors.js'
import {
  type ConfirmRequest,
  isStored,
  type RestoreEvent,
  runRestore,
} from '../restore/run-restore.js'
import type { Cli } from './cli.js'
import { createStatusLine, mb } from './status-line.js'
import { withInterrupt } from './with-interrupt.js'

export const restoreHelp = `Usage: dumpling restore [latest | ID | FILE | LINK] --target URL [options]

Load a snapshot into a development database, replacing it safely:
  latest the newest snapshot in the configured storage (storage: in dumpling.yml)
  ID     a snapshot id from dumpling list
  FILE   a dump.sql.gz (its manifest.json beside it), or the folder that holds them
  LINK   a link from /dump latest (downloaded, verified, then loaded)
  -      read one of the above from stdin: a link then never shows in the process list
         (pasted at a prompt on a terminal, or piped: then pass --yes)

Before anything changes: the dump's size is checked against the manifest, the target
must be on this machine (or in restore.allowedTargets), must not be the server the
snapshot came from, nor a protected database, and you type its name to confirm. The
snapshot loads into <db>__dumpling_<id> first (its sha256 computed on the way); only
when the sha256 matches and it is complete, counted and analyzed does it take the
target's name. The old database is kept as <db>__previous.

Options:
  --target URL          postgres://[user@]host[:port]/database to replace (required)
  --jobs N              parallel loading sessions (default: restore.jobs, 2)
  --owner ROLE          role owning the new database and its objects (default: you)
  --yes                 do not ask to confirm (scripts)
  --force-disconnect    end sessions connected to the database being replaced
  --manifest FILE       the snapshot's manifest.json, for a LINK or a FILE without one
  --unverified          restore a dump that has no manifest (no checksum, no source check)
  --config FILE         dumpling.yml (optional: without one, the defaults apply)`

export interface RestoreArgs {
  config?: string | undefined
  target?: string | undefined
  jobs?: string | undefined
  owner?: string | undefined
  yes?: boolean | undefined
  'force-disconnect'?: boolean | undefined
  manifest?: string | undefined
  unverified?: boolean | undefined
}

/** `dumpling restore SOURCE --target URL`: parse, confirm, run, print. */
export async function restore(
  cli: Cli,
  given: string | undefined,
  args: RestoreArgs,
): Promise<number> {
  const source = given === '-' ? await readSource(cli) : given
  if (!source) {
    throw new AppError(
      'usage',
      `dumpling restore needs a snapshot: latest, ID, FILE or LINK.\n\n${restoreHelp}`,
    )
  }
  if (!args.target) {
    throw new AppError(
      'usage',
      `dumpling restore needs --target URL, e.g. --target postgres://localhost/app_dev.\n\n${restoreHelp}`,
    )
  }
  const jobs = args.jobs === undefined ? undefined : Number(args.jobs)
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1 && jobs <= 32)) {
    throw new AppError('usage', `--jobs must be a whole number from 1 to 32, not "${args.jobs}".`)
  }
  const config = loadRestoreConfig({ path: args.config, env: cli.env })
  const settings = config.restore
  const progress = createProgress(cli)
  const interactive = cli.stdin?.isTTY === true && cli.stderr.isTTY === true
  const targetUrl = args.target
  // The storage clients (the AWS SDK) take a while to load: only when the source needs them.
  const storage = isStored(source) ? (await import('../storage/index.js')).createStorage : null
  const summary = await withInterrupt((signal) =>
    runRestore({
      source,
      ...(storage ? { storage: () => storage(config) } : {}),
      targetUrl,
      policy: settings,
      jobs: jobs ?? settings.jobs,
      owner: args.owner,
      manifestPath: args.manifest,
      unverified: args.unverified,
      forceDisconnect: args['force-disconnect'],
      confirm: args.yes ? async () => true : interactive ? (r) => confirm(cli, r) : null,
      onEvent: progress.onEvent,
      signal,
    }),
  ).finally(progress.stop)
  cli.stderr.write(
    `Restored snapshot ${summary.snapshotId} into ${summary.target}: ${summary.tables} tables, ${summary.rows.toLocaleString('en')} rows, in ${(summary.durationMs / 1000).toFixed(1)} s.${summary.previous ? ` The old database is kept as ${summary.previous}.` : ''}${summary.verified ? '' : ' Not verified (no manifest).'}\n`,
  )
  return 0
}

/**
 * The snapshot named on stdin (`dumpling restore -`): asked for on a terminal, else the
 * first line of what is piped in. A link is a bearer token, and arguments are visible
 * to every user of the machine in the process list; stdin is not.
 */
async function readSource(cli: Cli): Promise<string> {
  const input = cli.stdin
  if (!input)
    throw new AppError('usage', 'dumpling restore -: there is no stdin to read the snapshot from.')
  // A terminal echoes what is pasted to the prompt's stream: only where it is a terminal
  // too, never into a file stderr was sent to.
  const prompt = input.isTTY === true && cli.stderr.isTTY === true
  if (input.isTTY && !prompt) {
    throw new AppError(
      'usage',
      'dumpling restore - asks for the link on the terminal, but stderr is not one (the pasted link would be echoed there): keep stderr on the terminal, or pipe the link in with --yes.',
    )
  }
  const rl = createInterface({ input, ...(prompt ? { output: cli.stderr } : {}), terminal: prompt })
  try {
    if (prompt)
      return (
        await rl.question('Paste the link from /dump latest (or a snapshot id, latest, a file): ')
      ).trim()
    for await (const line of rl) {
      if (line.trim() !== '') return line.trim()
    }
  } finally {
    rl.close()
  }
  throw new AppError(
    'usage',
    'dumpling restore - read nothing from stdin: pipe in the link, e.g. `pbpaste | dumpling restore - --target URL --yes`, or run it on a terminal and paste it.',
  )
}

/** Show where the restore goes and ask for the database name, typed. */
async function confirm(cli: Cli, request: ConfirmRequest): Promise<boolean> {
  const { target } = request
  cli.stderr.write(
    `\nThis ${request.replaces ? 'REPLACES' : 'creates'} a database:\n  host      ${target.host}\n  port      ${target.port}\n  database  ${target.database}\n  snapshot  ${request.snapshot}\n${request.replaces ? `The current ${target.database} is kept as ${target.database}__previous (an older __previous is dropped).\n` : ''}`,
  )
  const rl = createInterface({ input: cli.stdin as NodeJS.ReadableStream, output: cli.stderr })
  // Ctrl-C at the question is a no.
  const cancel = new AbortController()
  rl.on('SIGINT', () => cancel.abort())
  try {
    const answer = await rl.question(`Type the database name (${target.database}) to go on: `, {
      signal: cancel.signal,
    })
    return answer.trim() === target.database
  } catch {
    cli.stderr.write('\n')
    return false
  } finally {
    rl.close()
  }
}

/** A progress bar on a terminal (bytes read, tables loaded); warnings always. */
function createProgress(cli: Cli): { onEvent: (e: RestoreEvent) => void; stop: () => void } {
  const status = createStatusLine(cli, 200)
  return {
    onEvent(event) {
      if (event.type === 'warning') status.warning(event.message)
      else if (event.type === 'phase') status.phase(event.phase)
      else if (event.type === 'download') {
        status.progress(
          () => `  downloaded ${mb(event.bytes)}${event.total ? ` of ${mb(event.total)}` : ''}`,
        )
      } else {
        status.progress(() => {
          const pct = event.bytesTotal ? Math.floor((event.bytesRead / event.bytesTotal) * 100) : 0
          const bar = '#'.repeat(Math.round(pct / 4)).padEnd(25, '.')
          const tables =
            event.tablesTotal === null
              ? `${event.tablesLoaded}`
              : `${event.tablesLoaded}/${event.tablesTotal}`
          return `  [${bar}] ${pct}%  ${mb(event.bytesRead)} read  tables ${tables}  rows ${event.rows.toLocaleString('en')}`
        })
      }
    },
    stop: status.stop,
  }
}

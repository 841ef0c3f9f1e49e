#!/usr/bin/env -S node --single-threaded
import { parseArgs } from 'node:util'
import { exitCodes, isAppError } from '../errors.js'
import { toolVersion } from '../version.js'
import type { Cli } from './cli.js'
import { singleThreaded } from './node-flags.js'

const usage = `Usage: dumpling <command> [options]

Commands:
  init       write rules for every column, with suggested transformers and why
  check      compare the rules with the live source schema
  snapshot   take an anonymized snapshot into the configured storage (or a folder)
  verify     search a snapshot for original values the rules should have replaced
  restore    load a snapshot into a development database, safely
  list       the snapshots in storage, newest first
  link       a short-lived download link for a snapshot (audited)
  serve      run the Slack app (/dump latest, refresh, status)
  demo       the whole loop on a throwaway database, in one command

Run "dumpling <command> --help" for a command's options.
Exit codes: 0 ok, 1 unexpected error, 2 usage, 3 config or secret, 4 rules do not match the
schema, 5 source unreachable, 6 pg_dump missing or too old, 7 dump failed, 8 output exists,
9 originals found by verify, 10 rules file exists (init), 11 bucket missing, 12 storage
access denied, 13 wrong region, 14 storage unreachable, 15 unknown snapshot, 16 no snapshot
yet, 17 checksum mismatch, 18 audit not stored, 19 other storage error, 20-26 restore (see
README), 30 serve could not listen, 40 a snapshot is already running, 41 test restore failed,
42 test restore required but unavailable, 43 runner failed, 44 job lock lost, 130 interrupted
(SIGINT or SIGTERM; nothing written).`

// Each verb's module is loaded only when it runs: together they take about a
// second of CPU to load (the AWS SDK, Bolt, faker), which every command paid.

/** Verbs that take one positional argument (a snapshot, a folder). */
const takesOneArgument = new Set(['link', 'verify', 'restore'])

const options = {
  config: { type: 'string' },
  output: { type: 'string' },
  jobs: { type: 'string' },
  force: { type: 'boolean' },
  verify: { type: 'boolean' },
  update: { type: 'boolean' },
  target: { type: 'string' },
  owner: { type: 'string' },
  manifest: { type: 'string' },
  yes: { type: 'boolean' },
  'force-disconnect': { type: 'boolean' },
  unverified: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const

/** Run one command; returns the exit code. Errors are reported here, once. */
export async function main(argv: string[], cli: Cli): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true })
    const [verb, ...rest] = positionals
    if (values.version) {
      cli.stdout.write(`${toolVersion}\n`)
      return 0
    }
    if (verb === 'help' || (!verb && values.help)) return help(cli, usage)
    if (!verb) {
      cli.stderr.write(`${usage}\n`)
      return exitCodes.usage
    }
    if (rest.length > (takesOneArgument.has(verb) ? 1 : 0)) {
      cli.stderr.write(`Unexpected argument "${rest.at(-1)}" for dumpling ${verb}.\n`)
      return exitCodes.usage
    }
    switch (verb) {
      case 'init': {
        const { init, initHelp } = await import('./init.js')
        if (values.help) return help(cli, initHelp)
        return await init(cli, values)
      }
      case 'check': {
        const { check, checkHelp } = await import('./check.js')
        if (values.help) return help(cli, checkHelp)
        return await check(cli, values)
      }
      case 'snapshot': {
        const { snapshot, snapshotHelp } = await import('./snapshot.js')
        if (values.help) return help(cli, snapshotHelp)
        return await snapshot(cli, values)
      }
      case 'restore': {
        const { restore, restoreHelp } = await import('./restore.js')
        if (values.help) return help(cli, restoreHelp)
        return await restore(cli, rest[0], values)
      }
      case 'list': {
        const { list, listHelp } = await import('./list.js')
        if (values.help) return help(cli, listHelp)
        return await list(cli, values)
      }
      case 'link': {
        const { link, linkHelp } = await import('./link.js')
        if (values.help) return help(cli, linkHelp)
        return await link(cli, values, rest[0])
      }
      case 'serve': {
        if (values.help) return help(cli, (await import('./serve.js')).serveHelp)
        // Serve wants V8's background threads (node-flags.ts): started with the flag, it
        // runs itself again without it, before it loads anything else.
        if (process.execArgv.includes(singleThreaded)) {
          const { respawnWithout } = await import('./respawn.js')
          return await respawnWithout(singleThreaded, cli)
        }
        const { serve } = await import('./serve.js')
        return await serve(cli, values)
      }
      case 'verify': {
        const { verify, verifyHelp } = await import('./verify.js')
        if (values.help) return help(cli, verifyHelp)
        return await verify(cli, { ...values, dir: rest[0] })
      }
      case 'demo': {
        const { demoHelp, runDemo } = await import('../demo/run-demo.js')
        if (values.help) return help(cli, demoHelp)
        return await runDemo(cli)
      }
      default:
        cli.stderr.write(`Unknown command "${verb}".\n\n${usage}\n`)
        return exitCodes.usage
    }
  } catch (err) {
    if (isAppError(err)) {
      cli.stderr.write(`dumpling: ${err.message}\n`)
      return exitCodes[err.code]
    }
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      cli.stderr.write(`dumpling: ${(err as Error).message}\n\n${usage}\n`)
      return exitCodes.usage
    }
    cli.stderr.write(`dumpling: unexpected error: ${(err as Error).stack ?? err}\n`)
    return 1
  }
}

function help(cli: Cli, text: string): number {
  cli.stdout.write(`${text}\n`)
  return 0
}

const isEntry = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href
if (isEntry || process.argv[1]?.endsWith('/dumpling')) {
  main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdin: process.stdin,
  }).then((code) => {
    process.exitCode = code
  })
}

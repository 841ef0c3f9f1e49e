import { randomBytes } from 'node:crypto'
import { existsSync, rmSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startCluster, type ThrowawayCluster } from '../db/throwaway-cluster.js'
import { withPgClient } from '../db/with-pg-client.js'
import { type BenchOptions, benchHelp, parseBenchArgs } from './bench-args.js'
import { type BenchReport, formatReport, medianRatio, peakRss, targets } from './bench-report.js'
import { benchRules } from './bench-rules.js'
import { createChildRunner } from './child-runner.js'
import { summarizeCpuProfiles } from './cpu-profile.js'
import { createBenchData, growBenchData } from './load-bench-data.js'
import { createMemorySampler } from './memory-sampler.js'
import { benchPipeline } from './pipeline-bench.js'
import { createResourceProbe } from './resource-probe.js'
import { runRestoreBench } from './restore-bench.js'
import { runServeBench } from './serve-bench.js'
import { type DumplingCommand, type DumpTools, timeDumpling, timePgDump } from './timed-dumps.js'
import { measureReferences, measureTransformers } from './transformer-cost.js'
import { benchVerify } from './verify-bench.js'

/** The repository root: this file runs as dist/bench/index.js. */
const root = fileURLToPath(new URL('../../', import.meta.url))

/**
 * Settings for a server that only has to load fast and serve two dumps:
 * no checkpoints during the load, no autovacuum racing the timed runs.
 */
const serverSettings = {
  max_wal_size: '8GB',
  checkpoint_timeout: '1h',
  autovacuum: 'off',
  shared_buffers: '256MB',
}

const log = (line: string) => process.stderr.write(`${line}\n`)

/** Set on Ctrl-C: what fails after it (connections to the stopped server) is no news. */
const state = { interrupted: false }

async function main(argv: string[]): Promise<number> {
  if (argv.includes('--serve')) return runServeBench(argv)
  let options: BenchOptions | null
  try {
    options = parseBenchArgs(argv)
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n\n${benchHelp}\n`)
    return 2
  }
  if (!options) {
    process.stdout.write(`${benchHelp}\n`)
    return 0
  }
  const cli = join(root, 'dist/cli/index.js')
  if (!existsSync(cli)) {
    process.stderr.write(`bench: ${cli} is missing. Run "npm run bench", which builds first.\n`)
    return 1
  }

  const tempDir = await mkdtemp(join(tmpdir(), 'dumpling-bench-'))
  const session: Session = {
    tempDir,
    runner: createChildRunner(),
    abort: new AbortController(),
    cluster: null,
  }
  let cleaning: Promise<void> | null = null
  const cleanup = () => {
    cleaning ??= (async () => {
      session.runner.killAll()
      // A server still starting is stopped once it is up: initdb cannot be interrupted cleanly.
      const cluster = await session.cluster?.catch(() => null)
      await cluster?.stop()
      await rm(tempDir, { recursive: true, force: true })
    })()
    return cleaning
  }
  const removeTemp = () => rmSync(tempDir, { recursive: true, force: true })
  process.once('exit', removeTemp)
  const interrupted = (signal: NodeJS.Signals) => {
    state.interrupted = true
    session.abort.abort()
    log(`\nbench: ${signal}, stopping the server and removing ${tempDir}…`)
    cleanup().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  }
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)

  try {
    const report = await runBench(options, cli, session)
    process.stdout.write(formatReport(report))
    return 0
  } finally {
    await cleanup()
    process.off('exit', removeTemp)
  }
}

/** What a bench run holds that Ctrl-C must undo. */
interface Session {
  tempDir: string
  runner: DumpTools['runner']
  abort: AbortController
  cluster: Promise<ThrowawayCluster> | null
}

async function runBench(
  options: BenchOptions,
  cli: string,
  session: Session,
): Promise<BenchReport> {
  const { tempDir, runner } = session
  const signal = session.abort.signal
  const key = randomBytes(48).toString('base64')

  log(
    `Transformers: ${options.batches} batches × ${options.values.toLocaleString('en')} distinct values each…`,
  )
  const costOptions = { key, values: options.values, batches: options.batches, signal }
  const transformers = await measureTransformers(costOptions)
  const references = measureReferences(costOptions)

  signal.throwIfAborted()
  session.cluster = startCluster({ log, settings: serverSettings })
  const cluster = await session.cluster
  signal.throwIfAborted()
  const { version } = await withPgClient(cluster.adminUrl, async (c) => {
    await c.query("CREATE DATABASE bench TEMPLATE template0 ENCODING 'UTF8'")
    const r = await c.query<{ version: string }>(
      "SELECT current_setting('server_version') AS version",
    )
    return { version: r.rows[0]?.version ?? '?' }
  })
  const url = cluster.url('bench')
  log(`Loading scale ${options.scale}…`)
  const loadStarted = performance.now()
  const data = await createBenchData(url, options.scale, log)
  signal.throwIfAborted()
  log(
    `Loaded ${(data.tableBytes / 1e6).toFixed(1)} MB of table data in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s`,
  )

  const config = join(tempDir, 'dumpling.yml')
  // JSON is YAML: the rules file needs no YAML writer.
  await writeFile(join(tempDir, 'rules.yml'), `${JSON.stringify(benchRules, null, 2)}\n`)
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dumpling.yml's own reference to the environment
  await writeFile(config, 'source:\n  url: ${DUMPLING_SOURCE_URL}\nrules: rules.yml\n')
  const dumpling: DumplingCommand = {
    cli,
    config,
    jobs: options.jobs,
    env: { DUMPLING_SOURCE_URL: url, DUMPLING_ANON_KEY: key, PG_BIN: cluster.pgBin },
  }
  const tools: DumpTools = { runner, probe: await createResourceProbe(tempDir), tempDir }
  const pgDump = join(cluster.pgBin, 'pg_dump')

  const report: BenchReport = {
    options,
    serverVersion: version,
    data,
    pgDump: [],
    dumpling: [],
    transformers,
    references,
    load: [loadavg()[0] ?? 0, 0],
    rssProbe: tools.probe.name,
  }
  for (let round = 1; round <= options.rounds; round++) {
    signal.throwIfAborted()
    const p = await timePgDump(tools, pgDump, url, round)
    report.pgDump.push(p)
    const d = await timeDumpling(tools, dumpling, round)
    report.dumpling.push(d)
    const rss = d.usage ? `, dumpling peak RSS ${(d.usage.maxRssBytes / 1e6).toFixed(0)} MB` : ''
    log(
      `Round ${round}/${options.rounds}: pg_dump | gzip ${(p.ms / 1000).toFixed(2)} s, dumpling ${(d.ms / 1000).toFixed(2)} s (ratio ${(d.ms / p.ms).toFixed(2)}${rss})`,
    )
  }

  log(await benchVerify(tools, dumpling, report.dumpling, options.rounds, log))
  log(await benchPipeline(tools, dumpling, report.dumpling, cluster.adminUrl, log))
  report.load[1] = loadavg()[0] ?? 0

  if (options.profile || medianRatio(report) > targets.ratio) {
    log('Profiling one more dumpling run (--cpu-prof)…')
    const dir = join(tempDir, 'cpu-prof')
    await mkdir(dir)
    const sampler = await createMemorySampler(tempDir)
    await timeDumpling(tools, dumpling, 'profile', [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      ...sampler.nodeFlags,
    ])
    report.profile = await summarizeCpuProfiles(dir, root)
    report.memoryPeaks = await sampler.peaks()
  }

  if (options.memoryCheck) {
    signal.throwIfAborted()
    const grown = options.scale * 2
    log(`Memory check: growing the data to scale ${grown}…`)
    const bigger = await growBenchData(url, options.scale, grown, log)
    const run = await timeDumpling(tools, dumpling, 'memory-check')
    report.memory = [
      { scale: options.scale, tableBytes: data.tableBytes, rssBytes: peakRss(report.dumpling) },
      { scale: grown, tableBytes: bigger.tableBytes, rssBytes: run.usage?.maxRssBytes ?? null },
    ]
  }
  return report
}

const restoreBench = process.argv[2] === 'restore'
;(restoreBench
  ? runRestoreBench(
      process.argv.slice(3),
      fileURLToPath(new URL('../cli/index.js', import.meta.url)),
    )
  : main(process.argv.slice(2))
).then(
  (code) => {
    process.exitCode = code
  },
  (err: unknown) => {
    if (state.interrupted) return
    process.stderr.write(`bench: ${(err as Error).stack ?? err}\n`)
    process.exitCode = 1
  },
)

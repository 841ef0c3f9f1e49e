import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { startCluster, type ThrowawayCluster } from '../db/throwaway-cluster.js'
import { withPgClient } from '../db/with-pg-client.js'
import { runRestore } from '../restore/run-restore.js'
import { parseBenchArgs } from './bench-args.js'
import { benchRules } from './bench-rules.js'
import { createChildRunner } from './child-runner.js'
import { createBenchData } from './load-bench-data.js'
import { createResourceProbe } from './resource-probe.js'
import { readStatementCpu, summarizeStatementCpu } from './statement-cpu.js'
import { median } from './stats.js'

export const restoreBenchHelp = `Usage: npm run bench -- restore [--scale S] [--rounds N] [--jobs N]

Times "dumpling restore --jobs N" against "gunzip -c dump.sql.gz | psql -v ON_ERROR_STOP=1"
on the same dump (a Dumpling snapshot of the bench data), in alternating rounds, and
prints the median ratio. Target: at most 0.8.
  --scale S    bench data size (1 = ~400 MB of tables, the default; at most 50)
  --rounds N   rounds (default 3)
  --jobs N     restore --jobs (default 2)`

const log = (line: string) => process.stderr.write(`${line}\n`)

/** `npm run bench -- restore`: returns the exit code. */
export async function runRestoreBench(argv: string[], cli: string): Promise<number> {
  const options = parseBenchArgs(argv)
  if (!options) {
    process.stdout.write(`${restoreBenchHelp}\n`)
    return 0
  }
  const { scale, rounds, jobs } = options
  const runner = createChildRunner()
  const tempDir = await mkdtemp(join(tmpdir(), 'dumpling-restore-bench-'))
  let cluster: ThrowawayCluster | null = null
  const stop = () => {
    runner.killAll()
    void cluster?.stop().finally(() => rm(tempDir, { recursive: true, force: true }))
  }
  process.once('SIGINT', stop)
  try {
    cluster = await startCluster({
      log,
      // log_statement_stats: each statement's CPU in the server log, summed per round.
      settings: {
        max_wal_size: '8GB',
        checkpoint_timeout: '1h',
        autovacuum: 'off',
        log_statement_stats: 'on',
      },
    })
    const admin = cluster.adminUrl
    await withPgClient(admin, (c) =>
      c.query("CREATE DATABASE bench TEMPLATE template0 ENCODING 'UTF8'"),
    )
    log(`Loading scale ${scale}…`)
    const data = await createBenchData(cluster.url('bench'), scale, log)
    log(`Loaded ${(data.tableBytes / 1e6).toFixed(1)} MB of table data. Snapshotting…`)

    const config = join(tempDir, 'dumpling.yml')
    await writeFile(join(tempDir, 'rules.yml'), `${JSON.stringify(benchRules, null, 2)}\n`)
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dumpling.yml's own reference to the environment
    await writeFile(config, 'source:\n  url: ${DUMPLING_SOURCE_URL}\nrules: rules.yml\n')
    const snap = join(tempDir, 'snap')
    await runner.run(process.execPath, [cli, 'snapshot', '--config', config, '--output', snap], {
      DUMPLING_SOURCE_URL: cluster.url('bench'),
      DUMPLING_ANON_KEY: randomBytes(48).toString('base64'),
      PG_BIN: cluster.pgBin,
    })
    // The bench restores into the server it snapshotted, which restore rightly refuses:
    // the copied manifest names another source server. Dump and checksum are untouched.
    const dumpDir = join(tempDir, 'foreign')
    await mkdir(dumpDir)
    await copyFile(join(snap, 'dump.sql.gz'), join(dumpDir, 'dump.sql.gz'))
    const manifest = JSON.parse(await readFile(join(snap, 'manifest.json'), 'utf8'))
    manifest.source.systemIdentifier = '0'
    await writeFile(join(dumpDir, 'manifest.json'), JSON.stringify(manifest))
    const dump = join(dumpDir, 'dump.sql.gz')
    log(`Dump: ${(manifest.dump.bytes / 1e6).toFixed(1)} MB compressed.`)

    const psql = join(cluster.pgBin, 'psql')
    const reference: number[] = []
    const dumpling: number[] = []
    // CPU-seconds tell more than wall time on a shared machine: the commands' own
    // (GNU time, when installed) and the server's (its ended sessions, from /proc).
    const probe = await createResourceProbe(tempDir)
    const postmaster = await withPgClient(admin, async (c) =>
      parentPid((await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid),
    )
    const cpu = { reference: [] as string[], dumpling: [] as string[] }
    const logFile = await withPgClient(admin, async (c) => {
      const { rows } = await c.query<{ dir: string }>(
        "SELECT current_setting('data_directory') AS dir",
      )
      return join(dirname(rows[0]?.dir ?? ''), 'postgres.log')
    })
    const logSize = () =>
      stat(logFile).then(
        (s) => s.size,
        () => 0,
      )
    let statements = ''
    const timed = async (
      cmd: string,
      args: string[],
      isNode: boolean,
      into: string[],
    ): Promise<number> => {
      const wrapped = probe.wrap(cmd, args, { isNode })
      const logFrom = await logSize()
      const server = serverCpuSeconds(postmaster)
      const r = await runner.run(wrapped.cmd, wrapped.args, wrapped.env)
      // The server reaps the command's sessions a moment after they end.
      await new Promise((resolve) => setTimeout(resolve, 300))
      const own = (await wrapped.usage())?.cpuSeconds
      const used = serverCpuSeconds(postmaster) - server
      statements = await readStatementCpu(logFile, logFrom).then(summarizeStatementCpu, () => '?')
      into.push(
        `${own === undefined ? '?' : own.toFixed(1)} + ${Number.isNaN(used) ? '?' : used.toFixed(1)}`,
      )
      return r.ms
    }
    for (let round = 1; round <= rounds; round++) {
      const ref = `ref_${round}`
      await withPgClient(admin, (c) =>
        c.query(`CREATE DATABASE ${ref} TEMPLATE template0 ENCODING 'UTF8'`),
      )
      const p = await timed(
        'bash',
        [
          '-c',
          'set -o pipefail; gunzip -c "$1" | "$2" -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$3"',
          'sh',
          dump,
          psql,
          cluster.url(ref),
        ],
        false,
        cpu.reference,
      )
      const psqlStatements = statements
      reference.push(p)
      const d = await timed(
        process.execPath,
        [
          cli,
          'restore',
          dumpDir,
          '--target',
          cluster.url(`restored_${round}`),
          '--jobs',
          String(jobs),
          '--yes',
        ],
        true,
        cpu.dumpling,
      )
      const dumplingStatements = statements
      dumpling.push(d)
      await withPgClient(admin, async (c) => {
        await c.query(`DROP DATABASE ${ref}`)
        await c.query(`DROP DATABASE restored_${round}`)
      })
      log(
        `Round ${round}/${rounds}: gunzip | psql ${(p / 1000).toFixed(2)} s (CPU s, command + server: ${cpu.reference.at(-1)}), dumpling restore --jobs ${jobs} ${(d / 1000).toFixed(2)} s (${cpu.dumpling.at(-1)}) (ratio ${(d / p).toFixed(2)}; load average ${loadavg()[0]?.toFixed(1)})`,
      )
      log(`  server CPU-s by statement, psql: ${psqlStatements}`)
      log(`  server CPU-s by statement, dumpling: ${dumplingStatements}`)
    }
    log('One more restore, in process, timing its phases…')
    const phases = await timePhases(dumpDir, cluster.url('phases'), jobs)
    const ratios = dumpling.map((d, i) => d / (reference[i] ?? d))
    const ratio = median(ratios)
    process.stdout.write(
      [
        `Restore of ${(manifest.dump.bytes / 1e6).toFixed(1)} MB compressed (${(data.tableBytes / 1e6).toFixed(1)} MB of tables), ${rounds} rounds:`,
        `  gunzip -c | psql -v ON_ERROR_STOP=1   median ${(median(reference) / 1000).toFixed(2)} s`,
        `  dumpling restore --jobs ${jobs}           median ${(median(dumpling) / 1000).toFixed(2)} s`,
        `  ratio dumpling / psql: ${ratio.toFixed(2)} (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}); target <= 0.8: ${ratio <= 0.8 ? 'met' : 'MISSED'}`,
        `  CPU seconds per round, command + server: psql ${cpu.reference.join(', ')}; dumpling ${cpu.dumpling.join(', ')}`,
        `  phases of one restore: ${phases}`,
        `  load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} CPUs`,
        '',
      ].join('\n'),
    )
    return 0
  } finally {
    process.off('SIGINT', stop)
    await cluster?.stop()
    await rm(tempDir, { recursive: true, force: true })
  }
}

/** The parent of a server session: the postmaster (Linux /proc), or null. */
function parentPid(pid: number | undefined): number | null {
  if (pid === undefined) return null
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  } catch {
    return null
  }
}

/** CPU-seconds of the server's ended sessions (the postmaster's reaped children); NaN off Linux. */
function serverCpuSeconds(postmaster: number | null): number {
  if (postmaster === null) return Number.NaN
  try {
    const stat = readFileSync(`/proc/${postmaster}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // cutime and cstime (fields 16 and 17), in clock ticks of 1/100 s on Linux.
    return (Number(fields[13]) + Number(fields[14])) / 100
  } catch {
    return Number.NaN
  }
}

/** Where a restore's time goes: seconds per phase, from its own events. */
async function timePhases(dumpDir: string, targetUrl: string, jobs: number): Promise<string> {
  const spans: string[] = []
  let phase = 'checks'
  let since = performance.now()
  const close = (next: string) => {
    const now = performance.now()
    spans.push(`${phase} ${((now - since) / 1000).toFixed(2)} s`)
    phase = next
    since = now
  }
  await runRestore({
    source: dumpDir,
    targetUrl,
    policy: { allowedTargets: [], protectedDatabases: [] },
    jobs,
    confirm: async () => true,
    onEvent: (e) => {
      if (e.type === 'phase') close(e.phase)
    },
  })
  close('')
  return spans.join(', ')
}

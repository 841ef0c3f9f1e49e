import { randomBytes } from 'node:crypto'
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startCluster, type ThrowawayCluster } from '../db/throwaway-cluster.js'
import { withPgClient } from '../db/with-pg-client.js'
import { runRestore } from '../restore/run-restore.js'
import { parseBenchArgs } from './bench-args.js'
import { benchRules } from './bench-rules.js'
import { createChildRunner } from './child-runner.js'
import { createBenchData } from './load-bench-data.js'
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
      settings: { max_wal_size: '8GB', checkpoint_timeout: '1h', autovacuum: 'off' },
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
    for (let round = 1; round <= rounds; round++) {
      const ref = `ref_${round}`
      await withPgClient(admin, (c) =>
        c.query(`CREATE DATABASE ${ref} TEMPLATE template0 ENCODING 'UTF8'`),
      )
      const p = await runner.run('bash', [
        '-c',
        'set -o pipefail; gunzip -c "$1" | "$2" -X -q -o /dev/null -v ON_ERROR_STOP=1 -d "$3"',
        'sh',
        dump,
        psql,
        cluster.url(ref),
      ])
      reference.push(p.ms)
      const d = await runner.run(process.execPath, [
        cli,
        'restore',
        dumpDir,
        '--target',
        cluster.url(`restored_${round}`),
        '--jobs',
        String(jobs),
        '--yes',
      ])
      dumpling.push(d.ms)
      await withPgClient(admin, async (c) => {
        await c.query(`DROP DATABASE ${ref}`)
        await c.query(`DROP DATABASE restored_${round}`)
      })
      log(
        `Round ${round}/${rounds}: gunzip | psql ${(p.ms / 1000).toFixed(2)} s, dumpling restore --jobs ${jobs} ${(d.ms / 1000).toFixed(2)} s (ratio ${(d.ms / p.ms).toFixed(2)})`,
      )
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

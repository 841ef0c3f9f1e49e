import { availableParallelism, userInfo } from 'node:os'
import { resolve } from 'node:path'
import type { Worker } from 'node:worker_threads'
import { AppError } from '../errors.js'
import { compressionLabel } from '../snapshot/batch-compressor.js'
import type { Manifest } from '../snapshot/manifest.js'
import type { SnapshotEvent } from '../snapshot/run-snapshot.js'
import { startTransformThreads } from '../snapshot/transform-threads.js'
import { verificationLabel } from '../snapshot/verification-label.js'
import type { Cli } from './cli.js'
import { createStatusLine, mb } from './status-line.js'
import { withInterrupt } from './with-interrupt.js'

export const snapshotHelp = `Usage: dumpling snapshot [--output DIR [--force]] [--jobs N] [--verify] [--config FILE]

Take an anonymized snapshot of the source database into the configured storage
(storage: in dumpling.yml; default ./snapshots next to it), then apply retention.
It prints the new snapshot's id. Each snapshot is:
  dump.sql.gz     restores with: gunzip -c dump.sql.gz | psql -v ON_ERROR_STOP=1 -d EMPTY_DB
  manifest.json   what was dumped: tables, row counts, sizes, sha256 (written last)

Options:
  --output DIR   write the snapshot into the folder DIR instead (created if missing)
  --jobs N       parallel COPY sessions in one consistent snapshot (default: snapshot.jobs, 2)
  --force        replace a snapshot already in DIR
  --verify       before keeping the dump, search it for originals sampled inside the same
                 snapshot (see dumpling verify --help); a hit keeps nothing and exits 9
  --config FILE  dumpling.yml (default: DUMPLING_CONFIG, then ./dumpling.yml)`

export interface SnapshotArgs {
  config?: string | undefined
  output?: string | undefined
  jobs?: string | undefined
  force?: boolean | undefined
  verify?: boolean | undefined
}

/** `dumpling snapshot`: parse, run, print. */
export async function snapshot(cli: Cli, args: SnapshotArgs): Promise<number> {
  if (args.force && !args.output) {
    throw new AppError('usage', `--force only applies with --output DIR.\n\n${snapshotHelp}`)
  }
  const jobs = args.jobs === undefined ? undefined : Number(args.jobs)
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1 && jobs <= 32)) {
    throw new AppError('usage', `--jobs must be a whole number from 1 to 32, not "${args.jobs}".`)
  }
  // Into a folder, the transform threads start before this thread loads the rest of
  // the command (config, pg, the transformers): each takes about as long to load its
  // code, and the rows would wait for them. The run ends them, whatever happens.
  const threads = args.output ? startTransformThreads(availableParallelism()) : []
  try {
    return await take(cli, args, jobs, threads)
  } finally {
    // Ended by the run already, unless it never began (a bad config, the source lock taken).
    for (const thread of threads) thread.terminate().catch(() => {})
  }
}

async function take(
  cli: Cli,
  args: SnapshotArgs,
  jobs: number | undefined,
  threads: Worker[],
): Promise<number> {
  const [{ loadConfig, requireSourceUrl }, { runSnapshot }] = await Promise.all([
    import('../config/load-config.js'),
    import('../snapshot/run-snapshot.js'),
  ])
  const config = loadConfig({ path: args.config, env: cli.env })
  // Started before the config was read (one per CPU, the default): those it does not use end now.
  for (const extra of threads.splice(config.snapshot.workers)) extra.terminate().catch(() => {})
  const storage = args.output
    ? null
    : (await import('../storage/create-storage.js')).createStorage(config)
  const outputDir = resolve(args.output ?? '')
  const progress = createProgress(cli)
  const { manifest, deleted } = await withInterrupt(async (signal) => {
    const common = { config, jobs, onEvent: progress.onEvent, signal }
    const startedBy = `cli:${userInfo().username}`
    // Into storage, the pipeline scans for leaks as verify.leakScan says; --verify insists.
    if (storage) {
      const [{ runSnapshotJob }, { createVerifiers }, { createLogger }] = await Promise.all([
        import('../jobs/snapshot-job.js'),
        import('../jobs/create-verifiers.js'),
        import('../logger.js'),
      ])
      return runSnapshotJob({
        ...common,
        config: args.verify ? { ...config, verify: { ...config.verify, leakScan: 'on' } } : config,
        storage,
        startedBy,
        verifiers: createVerifiers(config),
        log: createLogger({ level: 'silent' }),
      })
    }
    const [{ withSourceLock }, verifyHook] = await Promise.all([
      import('../jobs/source-lock.js'),
      args.verify ? import('./verify.js').then((m) => m.createVerifyHook(cli, config)) : null,
    ])
    const manifest = await withSourceLock(requireSourceUrl(config), startedBy, (lost) =>
      runSnapshot({
        ...common,
        signal: AbortSignal.any([signal, lost]),
        outputDir,
        force: args.force ?? false,
        threads,
        ...(verifyHook ? { verify: verifyHook } : {}),
      }),
    )
    return { manifest, deleted: [] as string[] }
  }).finally(progress.stop)
  cli.stderr.write(`${summary(manifest)}\n`)
  if (storage) {
    if (manifest.verified?.leakScan === 'passed') {
      cli.stderr.write('Verified: no original value found.\n')
    }
    cli.stderr.write(`Stored in ${storage.describe()}.\n`)
    cli.stderr.write(`Published ${verificationLabel(manifest)}.\n`)
    if (deleted.length > 0) {
      cli.stderr.write(`Retention removed ${deleted.length}: ${deleted.join(', ')}.\n`)
    }
    cli.stdout.write(`${manifest.id}\n`)
  } else {
    cli.stdout.write(`${resolve(outputDir, manifest.dump.file)}\n`)
  }
  return 0
}

/** Progress on stderr when it is a terminal; warnings always. */
function createProgress(cli: Cli): { onEvent: (e: SnapshotEvent) => void; stop: () => void } {
  const status = createStatusLine(cli)
  const started = Date.now()
  return {
    onEvent(event) {
      if (event.type === 'warning') status.warning(event.message)
      else if (event.type === 'phase') status.phase(event.phase)
      else {
        status.progress(() => {
          const rate = event.bytes / 1e6 / Math.max((Date.now() - started) / 1000, 0.001)
          return `  tables ${event.tablesDone}/${event.tablesTotal}  rows ${event.rows.toLocaleString('en')}  ${rate.toFixed(1)} MB/s`
        })
      }
    },
    stop: status.stop,
  }
}

function summary(manifest: Manifest): string {
  const rows = manifest.tables.reduce((n, t) => n + t.rows, 0)
  const seconds = manifest.durationMs / 1000
  const by = manifest.dump.compressor ? ` (${compressionLabel(manifest.dump.compressor)})` : ''
  return `Snapshot ${manifest.id}: ${manifest.tables.length} tables, ${rows.toLocaleString('en')} rows, ${mb(manifest.dump.bytes)} compressed${by}, in ${seconds.toFixed(1)} s.`
}

import type { Readable } from 'node:stream'
import type { Worker } from 'node:worker_threads'
import type pg from 'pg'
import { defaults } from '../config/config-schema.js'
import { type Config, requireAnonKey, requireSourceUrl } from '../config/load-config.js'
import { connectSource } from '../db/connect.js'
import { introspect } from '../db/introspect.js'
import { checkPgDump, type PgDump, probePgDump } from '../db/pg-dump.js'
import { AppError } from '../errors.js'
import { checkRules, type PlannedTable } from '../rules/check-rules.js'
import { formatProblems } from '../rules/format-problems.js'
import type { SnapshotUpload } from '../storage/storage.js'
import { createCompiler } from '../transformers/index.js'
import { toolVersion } from '../version.js'
import { type BatchCompression, chooseCompression } from './batch-compressor.js'
import { type BatchRunner, createInlineRunner, createWorkerRunner } from './batch-runner.js'
import { copyAll } from './copy-all.js'
import { createDumpWriter, type DumpWriter } from './dump-writer.js'
import { createFolderTarget, type SnapshotTarget } from './folder-target.js'
import {
  type Manifest,
  type ManifestTable,
  rulesHash,
  schemaFingerprint,
  snapshotId,
} from './manifest.js'
import { type PgDumpSection, startPgDumpSection } from './pg-dump-section.js'
import { sequenceValues } from './sequence-values.js'
import { findWorkerScript } from './transform-threads.js'

export type SnapshotEvent =
  | { type: 'warning'; message: string }
  | { type: 'phase'; phase: 'schema' | 'data' | 'post-data' }
  | { type: 'progress'; tablesDone: number; tablesTotal: number; rows: number; bytes: number }

export interface SnapshotOptions {
  config: Config
  /** Where the snapshot goes: a SnapshotStorage (see storeSnapshot), or… */
  target?: SnapshotTarget
  /** …the folder that receives dump.sql.gz and manifest.json. */
  outputDir?: string
  jobs?: number
  /** Replace a dump already in `outputDir`. */
  force?: boolean
  onEvent?: (event: SnapshotEvent) => void
  /** Rows per gzip member and COPY block, in uncompressed bytes. */
  chunkBytes?: number
  /** Transform threads; 0 transforms on the main thread. Default: snapshot.workers. */
  workers?: number
  /**
   * Transform threads started ahead (startTransformThreads), so that their code
   * loads while the caller's does. The run uses them (ending those it does not
   * need) and ends them, whatever happens.
   */
  threads?: Worker[]
  /**
   * The folder holding the ISA-L addon (isal-gzip.node); default dist/native.
   * An empty folder runs the snapshot as on a machine without ISA-L.
   */
  nativeDir?: string
  /** Abort the run (SIGINT, SIGTERM): every session ends and nothing is left behind. */
  signal?: AbortSignal
  /** `--verify`: check the finished dump inside the same snapshot; a throw keeps nothing. */
  verify?: (dump: {
    snapshot: string
    /** The finished dump's bytes, read back from the target before it is published. */
    open: () => Promise<Readable>
    tables: PlannedTable[]
  }) => Promise<void>
}

/**
 * Take one anonymized snapshot: check the rules against the live schema
 * (no row is read if they fail), then dump schema with pg_dump and rows with
 * COPY, all inside one exported read-only snapshot, streamed into the target.
 * What reads no row overlaps: the transform threads start, and pg_dump tells
 * its version, while the coordinator connects; pg_dump's two sections run while
 * the rules are checked and the rows are copied, and are written in their place.
 * The manifest is written last; a failure of any part stops every other part
 * and leaves no snapshot behind.
 */
export async function runSnapshot(options: SnapshotOptions): Promise<Manifest> {
  const { config } = options
  const threads = options.threads ?? []
  let target: SnapshotTarget
  let key: string
  let url: string
  let compression: BatchCompression
  try {
    compression = chooseCompression(config.snapshot.compressor, options.nativeDir)
    target = resolveTarget(options)
    key = requireAnonKey(config)
    url = requireSourceUrl(config)
  } catch (err) {
    for (const thread of threads) thread.terminate().catch(() => {})
    throw err
  }
  const jobs = options.jobs ?? config.snapshot.jobs
  const emit = options.onEvent ?? (() => {})
  const started = new Date()

  const runner = createRunner(
    key,
    compression,
    options.workers ?? config.snapshot.workers,
    threads,
    emit,
  )
  const probe = probePgDump()
  probe.catch(() => {})
  let coordinator: pg.Client | null = null
  const workers: pg.Client[] = []
  const sections: PgDumpSection[] = []
  let upload: SnapshotUpload | null = null
  let writer: DumpWriter | null = null
  let stopped = false
  let failure = null as { error: unknown } | null
  /** Ends every session and pg_dump: an interrupt, or the first part that failed. */
  const stop = () => {
    stopped = true
    for (const client of [coordinator, ...workers]) client?.end().catch(() => {})
    for (const section of sections) section.kill()
  }
  /** A part running beside others: its failure is the run's, and stops the others. */
  const watch = <T>(part: Promise<T>): Promise<T> => {
    part.catch((error: unknown) => {
      if (failure || stopped) return
      failure = { error }
      stop()
    })
    return part
  }
  const startSection = (pgDump: PgDump, section: 'pre-data' | 'post-data', snapshot: string) => {
    const running = startPgDumpSection(pgDump, url, section, snapshot)
    sections.push(running)
    watch(running.exited)
    return running
  }
  options.signal?.addEventListener('abort', stop, { once: true })
  try {
    coordinator = await connectSource(url)
    if (options.signal?.aborted) stop()
    await coordinator.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY')
    // Exported first, so that pg_dump reads the schema (never a row) while the rules are checked.
    const exported = await coordinator.query<{ id: string; version: string; num: string }>(
      `SELECT pg_export_snapshot() AS id, current_setting('server_version') AS version,
        current_setting('server_version_num') AS num`,
    )
    const server = exported.rows[0]
    if (!server?.id) throw new AppError('dump_failed', 'The source did not export a snapshot.')
    const snapshot = server.id
    const pgDump = await probe
    let preData: PgDumpSection | null = null
    let postData: PgDumpSection | null = null
    if (pgDump && pgDump.major >= Math.floor(Number(server.num) / 10000)) {
      preData = startSection(pgDump, 'pre-data', snapshot)
      postData = startSection(pgDump, 'post-data', snapshot)
    }

    const catalog = await introspect(coordinator)
    const { problems, tables } = checkRules(
      config.rules,
      catalog,
      createCompiler(key),
      config.locateRule,
    )
    if (problems.length > 0) {
      throw new AppError(
        'rules_incomplete',
        `The rules do not match the source schema (${problems.length} problem${problems.length === 1 ? '' : 's'}); no row was read:\n${formatProblems(problems)}`,
      )
    }
    checkPgDump(pgDump, catalog.serverVersionNum, catalog.serverVersion)
    if (compression.fallback) {
      emit({
        type: 'warning',
        message: `Compressing with zlib, which costs more CPU: ${compression.fallback}. Install ISA-L's library (Debian/Ubuntu: libisal2) or set snapshot.compressor: zlib to silence this.`,
      })
    }
    if (!preData || !postData) throw new Error('pg_dump passed its check but was not started')
    if (catalog.largeObjects > 0) {
      emit({
        type: 'warning',
        message: `${catalog.largeObjects} large object(s) left out: their contents cannot be classified.`,
      })
    }

    await target.check()
    const id = snapshotId(started)
    upload = await target.beginSnapshot(id)
    const dumpWriter = createDumpWriter(upload.dump)
    writer = dumpWriter
    // Appended in this order and written as each is ready: rows transformed while
    // pg_dump's pre-data is still coming wait for it (a few batches per job at most).
    const header = watch(
      dumpWriter.appendText(
        `--\n-- Dumpling snapshot ${id} of database ${catalog.database}, anonymized.\n-- Restore into an empty database: gunzip -c dump.sql.gz | psql -v ON_ERROR_STOP=1 -d DB\n--\n\n`,
      ),
    )
    emit({ type: 'phase', phase: 'schema' })
    const schema = watch(dumpWriter.appendStream(preData.output))
    const dataHeader = watch(
      dumpWriter.appendText(
        "\n--\n-- Data (anonymized by Dumpling)\n--\n\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\n",
      ),
    )
    emit({ type: 'phase', phase: 'data' })
    const sequences = watch(sequenceValues(coordinator, catalog))
    const dumped = tables
      .filter((t) => t.data === 'dump')
      .sort((a, b) => b.table.bytes - a.table.bytes)
    if (stopped) throw new AppError('dump_failed', 'The snapshot was stopped before its data.')
    const counts = await watch(
      copyAll(url, snapshot, dumped, dumpWriter, runner, workers, {
        jobs,
        chunkBytes: options.chunkBytes ?? defaults.snapshot.chunkBytes,
        onProgress: (p) => emit({ type: 'progress', ...p }),
      }),
    )
    await Promise.all([header, schema, dataHeader, preData.exited])
    await dumpWriter.appendText(await sequences)

    emit({ type: 'phase', phase: 'post-data' })
    await Promise.all([dumpWriter.appendStream(postData.output), postData.exited])
    const dump = await dumpWriter.close()
    writer = null
    const written = upload
    await options.verify?.({ snapshot, open: () => written.readBack(), tables: dumped })
    await coordinator.query('COMMIT')

    const manifestTables: ManifestTable[] = tables
      .map((t) => ({
        name: t.table.qualified,
        data: t.data,
        rows: counts.get(t.table.qualified)?.rows ?? 0,
        bytes: counts.get(t.table.qualified)?.bytes ?? 0,
      }))
      .sort((a, b) => a.name.localeCompare(b.name))
    const manifest: Manifest = {
      formatVersion: 1,
      id,
      createdAt: started.toISOString(),
      tool: { name: 'dumpling', version: toolVersion },
      source: {
        database: catalog.database,
        serverVersion: catalog.serverVersion,
        systemIdentifier: catalog.systemIdentifier,
      },
      schemaFingerprint: schemaFingerprint(catalog),
      rulesHash: rulesHash(config.rules),
      tables: manifestTables,
      dump: {
        file: 'dump.sql.gz',
        compression: 'gzip',
        ...dump,
        compressor: { name: compression.name, level: compression.level },
      },
      durationMs: Date.now() - started.getTime(),
    }
    await upload.commit(manifest)
    return manifest
  } catch (caught) {
    const err = failure ? failure.error : caught
    stop()
    writer?.abort()
    await upload?.abort().catch(() => {})
    if (options.signal?.aborted) {
      throw new AppError(
        'interrupted',
        'Interrupted: the snapshot was stopped and nothing was written.',
        { cause: err },
      )
    }
    if (err instanceof AppError) throw err
    throw new AppError(
      'dump_failed',
      `The snapshot failed and nothing was written: ${(err as Error).message}`,
      { cause: err },
    )
  } finally {
    options.signal?.removeEventListener('abort', stop)
    for (const section of sections) section.kill()
    await runner.close()
    await Promise.all([coordinator, ...workers].map((c) => c?.end().catch(() => {})))
    await Promise.allSettled(sections.map((s) => s.exited))
  }
}

function createRunner(
  key: string,
  compression: BatchCompression,
  count: number,
  threads: Worker[],
  emit: (e: SnapshotEvent) => void,
): BatchRunner {
  if (count > 0 && findWorkerScript()) return createWorkerRunner(key, compression, count, threads)
  for (const thread of threads) thread.terminate().catch(() => {})
  if (count === 0) return createInlineRunner(key, compression)
  emit({
    type: 'warning',
    message:
      'transform threads unavailable (dist/ not built: run npm run build); transforming on the main thread.',
  })
  return createInlineRunner(key, compression)
}

function resolveTarget(options: SnapshotOptions): SnapshotTarget {
  if (options.target) return options.target
  if (options.outputDir) return createFolderTarget(options.outputDir, { force: options.force })
  throw new Error('runSnapshot needs a target or an outputDir')
}

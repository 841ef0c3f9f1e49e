import type { Readable } from 'node:stream'
import type pg from 'pg'
import { defaults } from '../config/config-schema.js'
import { type Config, requireAnonKey, requireSourceUrl } from '../config/load-config.js'
import { connectSource } from '../db/connect.js'
import { introspect } from '../db/introspect.js'
import { findPgDump, spawnPgDump, waitForExit } from '../db/pg-dump.js'
import { AppError } from '../errors.js'
import { checkRules, type PlannedTable } from '../rules/check-rules.js'
import { formatProblems } from '../rules/format-problems.js'
import type { SnapshotUpload } from '../storage/storage.js'
import { createCompiler } from '../transformers/index.js'
import { toolVersion } from '../version.js'
import {
  type BatchRunner,
  createInlineRunner,
  createWorkerRunner,
  findWorkerScript,
} from './batch-runner.js'
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
import { sequenceValues } from './sequence-values.js'

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
 * The manifest is written last; a failed run leaves no snapshot behind.
 */
export async function runSnapshot(options: SnapshotOptions): Promise<Manifest> {
  const { config } = options
  const target = resolveTarget(options)
  const key = requireAnonKey(config)
  const url = requireSourceUrl(config)
  const jobs = options.jobs ?? config.snapshot.jobs
  const emit = options.onEvent ?? (() => {})
  const started = new Date()

  const coordinator = await connectSource(url)
  const workers: pg.Client[] = []
  let upload: SnapshotUpload | null = null
  let writer: DumpWriter | null = null
  let runner: BatchRunner | null = null
  const abort = () => {
    for (const client of [coordinator, ...workers]) client.end().catch(() => {})
  }
  options.signal?.addEventListener('abort', abort, { once: true })
  try {
    if (options.signal?.aborted) abort()
    await coordinator.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY')
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
    const pgDump = await findPgDump(catalog.serverVersionNum, catalog.serverVersion)
    if (catalog.largeObjects > 0) {
      emit({
        type: 'warning',
        message: `${catalog.largeObjects} large object(s) left out: their contents cannot be classified.`,
      })
    }

    await target.check()
    const exported = await coordinator.query<{ id: string }>('SELECT pg_export_snapshot() AS id')
    const snapshot = exported.rows[0]?.id
    if (!snapshot) throw new AppError('dump_failed', 'The source did not export a snapshot.')

    const id = snapshotId(started)
    upload = await target.beginSnapshot(id)
    writer = createDumpWriter(upload.dump)
    await writer.appendText(
      `--\n-- Dumpling snapshot ${id} of database ${catalog.database}, anonymized.\n-- Restore into an empty database: gunzip -c dump.sql.gz | psql -v ON_ERROR_STOP=1 -d DB\n--\n\n`,
    )

    emit({ type: 'phase', phase: 'schema' })
    await appendPgDump(writer, pgDump, url, 'pre-data', snapshot)

    emit({ type: 'phase', phase: 'data' })
    await writer.appendText(
      "\n--\n-- Data (anonymized by Dumpling)\n--\n\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\n",
    )
    const dumped = tables
      .filter((t) => t.data === 'dump')
      .sort((a, b) => b.table.bytes - a.table.bytes)
    runner = createRunner(key, options.workers ?? config.snapshot.workers, emit)
    const counts = await copyAll(url, snapshot, dumped, writer, runner, workers, {
      jobs,
      chunkBytes: options.chunkBytes ?? defaults.snapshot.chunkBytes,
      onProgress: (p) => emit({ type: 'progress', ...p }),
    })
    await writer.appendText(await sequenceValues(coordinator, catalog))

    emit({ type: 'phase', phase: 'post-data' })
    await appendPgDump(writer, pgDump, url, 'post-data', snapshot)
    const dump = await writer.close()
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
      dump: { file: 'dump.sql.gz', compression: 'gzip', ...dump },
      durationMs: Date.now() - started.getTime(),
    }
    await upload.commit(manifest)
    return manifest
  } catch (err) {
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
    options.signal?.removeEventListener('abort', abort)
    await runner?.close()
    await Promise.all([coordinator, ...workers].map((c) => c.end().catch(() => {})))
  }
}

function createRunner(key: string, threads: number, emit: (e: SnapshotEvent) => void): BatchRunner {
  if (threads === 0) return createInlineRunner(key)
  const script = findWorkerScript()
  if (script) return createWorkerRunner(key, threads, script)
  emit({
    type: 'warning',
    message:
      'transform threads unavailable (dist/ not built: run npm run build); transforming on the main thread.',
  })
  return createInlineRunner(key)
}

function resolveTarget(options: SnapshotOptions): SnapshotTarget {
  if (options.target) return options.target
  if (options.outputDir) return createFolderTarget(options.outputDir, { force: options.force })
  throw new Error('runSnapshot needs a target or an outputDir')
}

async function appendPgDump(
  writer: DumpWriter,
  pgDump: Awaited<ReturnType<typeof findPgDump>>,
  url: string,
  section: 'pre-data' | 'post-data',
  snapshot: string,
): Promise<void> {
  const child = spawnPgDump(pgDump, url, section, snapshot)
  const exited = waitForExit(child, `pg_dump --section=${section}`)
  exited.catch(() => {})
  if (!child.stdout) throw new AppError('dump_failed', 'pg_dump has no output stream')
  await Promise.all([writer.appendStream(child.stdout), exited])
}

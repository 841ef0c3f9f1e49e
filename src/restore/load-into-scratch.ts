import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { Transform } from 'node:stream'
import { createGunzip } from 'node:zlib'
import type pg from 'pg'
import { quoteIdent } from '../db/sql-names.js'
import { AppError } from '../errors.js'
import { analyzeAfterData, analyzeAfterIndexes } from './analyze-tables.js'
import { describeTarget, type Target } from './guards.js'
import { type LoadProgress, loadDump } from './load-dump.js'
import { checkRowCounts, expectedBytes, expectedRows } from './row-counts.js'
import type { RestoreEvent, RestoreOptions } from './run-restore.js'
import { checkDigest, digestFile, type LocalSnapshot } from './snapshot-source.js'
import { connectTarget, dropDatabase } from './target-server.js'

/**
 * Create the scratch database and load the dump into it; check the row counts
 * and ANALYZE. Any failure (or Ctrl-C) drops the scratch database again.
 */
export async function loadIntoScratch(
  options: RestoreOptions & { hashWhileLoading: boolean },
  snapshot: LocalSnapshot,
  target: Target,
  scratch: string,
  admin: pg.Client,
  emit: (e: RestoreEvent) => void,
): Promise<{ tables: number; rows: number }> {
  const owner = options.owner ? ` OWNER ${quoteIdent(options.owner)}` : ''
  try {
    // A scratch database of this very snapshot left by a killed restore: ours to remove.
    await dropDatabase(admin, scratch)
    await admin.query(
      `CREATE DATABASE ${quoteIdent(scratch)} TEMPLATE template0 ENCODING 'UTF8'${owner}`,
    )
  } catch (err) {
    if (err instanceof AppError) throw err
    throw new AppError(
      'restore_failed',
      `Cannot create the database ${scratch} to load into: ${(err as Error).message}. The connecting role needs CREATEDB (ALTER ROLE … CREATEDB)${options.owner ? ` and membership in ${options.owner}` : ''}. ${describeTarget(target)} is unchanged.`,
      { cause: err },
    )
  }
  const clients: pg.Client[] = []
  let digestChecked = !options.hashWhileLoading
  const abort = () => {
    for (const c of clients) c.end().catch(() => {})
  }
  options.signal?.addEventListener('abort', abort, { once: true })
  try {
    const connect = async () => {
      const c = await connectTarget(options.targetUrl, scratch, { load: true, role: options.owner })
      clients.push(c)
      return c
    }
    const main = await connect()
    const workers = await Promise.all(Array.from({ length: options.jobs }, connect))
    if (options.signal?.aborted) abort()

    const file = createReadStream(snapshot.dumpPath, { highWaterMark: 1 << 20 })
    const bytesTotal = snapshot.manifest?.dump.bytes ?? snapshot.digest?.bytes ?? 0
    const tablesTotal = snapshot.manifest
      ? snapshot.manifest.tables.filter((t) => t.data === 'dump').length
      : null
    let bytesRead = 0
    const hash = options.hashWhileLoading ? createHash('sha256') : null
    let last: LoadProgress = { blocks: 0, rows: 0, tablesLoaded: 0, phase: 'schema' }
    const progress = () =>
      emit({
        type: 'progress',
        bytesRead,
        bytesTotal,
        tablesLoaded: last.tablesLoaded,
        tablesTotal,
        rows: last.rows,
      })
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytesRead += chunk.length
        hash?.update(chunk)
        done(null, chunk)
      },
    })
    // 16 KiB output chunks (the default) make gunzip ten times slower on these many-member dumps.
    const gunzip = createGunzip({ chunkSize: 1 << 20 })
    file.on('error', (err) => gunzip.destroy(err))
    counter.on('error', (err) => gunzip.destroy(err))
    emit({ type: 'phase', phase: 'schema' })
    const loaded = await loadDump({
      input: file.pipe(counter).pipe(gunzip),
      main,
      workers,
      alongsideIndexes: (l) => analyzeAfterData(main, l.analyzed, l.rows.keys(), connect),
      analyzeWhenLoaded: snapshot.manifest
        ? { expectedRows: expectedRows(snapshot.manifest) }
        : undefined,
      tableBytes: snapshot.manifest ? expectedBytes(snapshot.manifest) : undefined,
      onProgress: (p) => {
        if (p.phase !== last.phase && p.phase !== 'schema') emit({ type: 'phase', phase: p.phase })
        last = p
        progress()
      },
    })
    if (hash) {
      checkDigest(snapshot, { sha256: hash.digest('hex'), bytes: bytesRead }, true)
      digestChecked = true
    }
    checkRowCounts(snapshot.manifest, loaded.rows)

    emit({ type: 'phase', phase: 'analyze' })
    await analyzeAfterIndexes(main, workers, loaded.analyzed)
    const rows = [...loaded.rows.values()].reduce((a, b) => a + b, 0)
    return { tables: loaded.rows.size, rows }
  } catch (caught) {
    abort()
    await Promise.all(clients.map((c) => c.end().catch(() => {})))
    // A damaged dump often fails to unzip or load before its end: then the
    // checksum, not the symptom, is what the person must hear.
    const err =
      digestChecked || options.signal?.aborted ? caught : await digestError(snapshot, caught)
    // Bounded (dropDatabase): a cleanup that cannot finish says so instead of hanging.
    const leftover = await dropDatabase(admin, scratch).then(
      () => null,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    )
    const cleanup =
      leftover === null
        ? 'the half-made database was removed'
        : `the half-made database ${scratch} could not be removed: ${leftover}`
    if (options.signal?.aborted) {
      throw new AppError(
        'interrupted',
        `Interrupted: ${cleanup}; ${describeTarget(target)} is unchanged.`,
        { cause: err },
      )
    }
    const reason = err instanceof AppError ? err.message : (err as Error).message
    throw new AppError(
      err instanceof AppError && err.code !== 'restore_failed' ? err.code : 'restore_failed',
      `The restore failed${leftover === null ? ' and was undone' : ''}: ${describeTarget(target)} is unchanged, and ${cleanup}. ${reason}`,
      { cause: err },
    )
  } finally {
    options.signal?.removeEventListener('abort', abort)
    await Promise.all(clients.map((c) => c.end().catch(() => {})))
  }
}

/** The checksum mismatch of a dump whose load failed, or the failure itself when it matches. */
async function digestError(snapshot: LocalSnapshot, failure: unknown): Promise<unknown> {
  try {
    checkDigest(snapshot, await digestFile(snapshot.dumpPath), true)
    return failure
  } catch (err) {
    return err instanceof AppError ? err : failure
  }
}

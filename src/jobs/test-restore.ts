import { randomBytes } from 'node:crypto'
import { createGunzip } from 'node:zlib'
import type pg from 'pg'
import type { Config } from '../config/load-config.js'
import { describeUrl } from '../db/connect.js'
import { findPgProgram } from '../db/find-pg-bin.js'
import { quoteIdent } from '../db/sql-names.js'
import { startCluster } from '../db/throwaway-cluster.js'
import { AppError } from '../errors.js'
import { loadDump } from '../restore/load-dump.js'
import { checkRowCounts } from '../restore/row-counts.js'
import { connectMaintenance, connectTarget, dropDatabase } from '../restore/target-server.js'
import type { RestoreInput, StepResult } from './verify-steps.js'

/** COPY sessions of the test restore, besides the one that runs the schema. */
const loadSessions = 2

interface Scratch {
  /** Superuser (or CREATEDB) URL of the scratch server. */
  adminUrl: string
  admin: pg.Client
  database: string
  stop(): Promise<void>
}

/**
 * The test restore: load the stored, unpublished dump with `dumpling restore`'s
 * loader (statements stop at the first error, like psql's ON_ERROR_STOP) into a
 * temporary database on `verify.restoreUrl`, else on a throwaway local cluster,
 * and compare the rows loaded per table with the manifest. The database (and
 * the cluster) is removed afterwards, pass or fail. No scratch server: skipped.
 */
export function createTestRestore(config: Config): (input: RestoreInput) => Promise<StepResult> {
  return async ({ manifest, readBack, signal }) => {
    const scratch = await openScratch(config)
    if ('skipped' in scratch) return scratch
    const clients: pg.Client[] = []
    const abort = () => {
      for (const c of clients) c.end().catch(() => {})
    }
    signal.addEventListener('abort', abort, { once: true })
    try {
      const connect = async () => {
        const c = await connectTarget(scratch.adminUrl, scratch.database, { load: true })
        clients.push(c)
        return c
      }
      const main = await connect()
      const workers = await Promise.all(Array.from({ length: loadSessions }, connect))
      signal.throwIfAborted()
      const dump = await readBack()
      const gunzip = createGunzip({ chunkSize: 1 << 20 })
      dump.on('error', (err) => gunzip.destroy(err))
      const loaded = await loadDump({ input: dump.pipe(gunzip), main, workers })
      checkRowCounts(manifest, loaded.rows)
      return { passed: true }
    } catch (err) {
      if (signal.aborted) throw err
      throw new AppError(
        'verify_failed',
        `The test restore of snapshot ${manifest.id} failed, so it was not published: ${(err as Error).message}`,
        { cause: err },
      )
    } finally {
      signal.removeEventListener('abort', abort)
      // Dropping the database ends its sessions on the server; a client whose COPY was
      // cut short may never see its own end, so none is waited for long.
      await dropDatabase(scratch.admin, scratch.database).catch(() => {})
      await bounded(Promise.all(clients.map((c) => c.end().catch(() => {}))), 2000)
      await bounded(
        scratch.admin.end().catch(() => {}),
        2000,
      )
      await scratch.stop()
    }
  }
}

/**
 * A fresh database on `verify.restoreUrl`, else on a throwaway cluster of this
 * machine's PostgreSQL server binaries; or why there is none (then `auto`
 * skips the test restore and `required` refuses to publish).
 */
async function openScratch(config: Config): Promise<Scratch | { skipped: string }> {
  const url = config.verify.restoreUrl
  const database = `dumpling_verify_${randomBytes(4).toString('hex')}`
  let adminUrl: string
  let stop = async () => {}
  if (url) {
    adminUrl = url
  } else if (findPgProgram('initdb') && findPgProgram('pg_ctl')) {
    try {
      const cluster = await startCluster()
      adminUrl = cluster.adminUrl
      stop = cluster.stop
    } catch (err) {
      return { skipped: `a throwaway local cluster did not start (${(err as Error).message})` }
    }
  } else {
    return {
      skipped:
        'no scratch server (no PostgreSQL server binaries, initdb and pg_ctl, here, and no verify.restoreUrl)',
    }
  }
  try {
    const admin = await connectMaintenance(adminUrl)
    try {
      await admin.query(
        `CREATE DATABASE ${quoteIdent(database)} TEMPLATE template0 ENCODING 'UTF8'`,
      )
    } catch (err) {
      await admin.end().catch(() => {})
      throw err
    }
    return { adminUrl, admin, database, stop }
  } catch (err) {
    await stop()
    return {
      skipped: `cannot create a scratch database on ${describeUrl(adminUrl)} (${(err as Error).message}); verify.restoreUrl needs a role with CREATEDB`,
    }
  }
}

/** Wait for `work`, but no longer than `ms`. */
async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))])
  clearTimeout(timer)
}

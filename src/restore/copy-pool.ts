import { PassThrough, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { copyTarget } from './statement-kind.js'

/** Uncompressed bytes one COPY block may hold in memory before the reader waits. */
const blockBufferBytes = 4 << 20

/**
 * Blocks a session may have waiting. The dump often holds runs of one table's
 * blocks: a deeper queue lets the reader run ahead to the other sessions'
 * tables instead of stalling them. Dumpling writes blocks of ~1 MiB, so this
 * is ~8 MiB a session (at most 8 × 4 MiB for other dumps).
 */
const queueDepth = 8

/** Where the reader writes one COPY block's rows. */
export interface CopySink {
  /** Resolves at once unless the block's buffer is full; rejects once any COPY failed. */
  write(chunk: Buffer): Promise<void>
  end(): void
}

interface Block {
  sql: string
  table: string
  stream: PassThrough
}

/** How a session loads one table, decided at its first block. */
interface TablePlan {
  /** The COPY target is a plain table truncated in this transaction: rows go in frozen. */
  freeze: boolean
  /** A table without children (a partition too): ANALYZE it once its rows are all in. */
  analyze: boolean
}

/** Analyze each table in its loading session as soon as its last rows are in. */
export interface AnalyzeWhenLoaded {
  /** Rows per table (`schema.table`) when complete: the manifest's counts. */
  expectedRows: ReadonlyMap<string, number>
}

/** One loading session: its tables, its queue, its open transaction. */
interface Lane {
  client: pg.Client
  /** Tables this session loads, and how. */
  tables: Map<string, TablePlan>
  queue: Block[]
  /**
   * Work given to this session: the manifest's bytes of each table it loads
   * (all of them as soon as it gets the table), or the bytes received so far
   * of a table the manifest does not size.
   */
  bytes: number
  began: boolean
  /** Resolves when the queue is empty and nothing runs. */
  idle: Promise<void>
  wake: (() => void) | null
}

/**
 * Runs COPY … FROM STDIN blocks over several sessions. Every block of a table
 * goes to the same session (a new table to the session with the least work:
 * with `tableBytes`, the whole size of each table it was given, so that a
 * large table whose blocks are still coming counts in full), inside one
 * transaction that first truncates the table: then COPY can FREEZE the rows,
 * so nobody (ANALYZE first of all) has to set hint bits on every page later,
 * and two sessions never fight over extending one table.
 * Memory is bounded: a session holds the block it runs and `queueDepth` more.
 * With `analyzeWhenLoaded`, a table whose rows reach the expected count is
 * analyzed right there, in its loading transaction (its pages still hot),
 * while the other sessions keep loading.
 * The first failure stops everything and is what `finish` throws: every COPY
 * still running is failed (CopyFail), and none starts after it, so no server
 * session is left waiting in COPY FROM STDIN for data that never comes.
 */
export class CopyPool {
  private readonly lanes: Lane[]
  private readonly laneOf = new Map<string, Lane>()
  private readonly streams = new Set<PassThrough>()
  /** The COPY FROM STDIN of every session that runs one now. */
  private readonly copies = new Set<Writable>()
  private failure: { error: unknown } | null = null
  /** Resolves on the first failure: `finish` stops waiting for the sessions then. */
  private readonly stopped: Promise<void>
  private stop: () => void = () => {}
  /** Rows loaded per table, as the server counted them. */
  readonly rows = new Map<string, number>()
  /** Tables analyzed in their loading transaction (with `analyzeWhenLoaded`). */
  readonly analyzed = new Set<string>()

  constructor(
    clients: pg.Client[],
    private readonly onBlockDone: (table: string, rows: number) => void = () => {},
    private readonly analyzeWhenLoaded: AnalyzeWhenLoaded | null = null,
    /** Uncompressed COPY bytes of each table (`schema.table`) when known: the manifest's. */
    private readonly tableBytes: ReadonlyMap<string, number> = new Map(),
  ) {
    this.lanes = clients.map((client) => ({
      client,
      tables: new Map(),
      queue: [],
      bytes: 0,
      began: false,
      idle: Promise.resolve(),
      wake: null,
    }))
    this.stopped = new Promise((resolve) => {
      this.stop = resolve
    })
  }

  async begin(sql: string, table: string): Promise<CopySink> {
    this.throwIfFailed()
    const lane = this.laneFor(table)
    const sized = this.tableBytes.has(table)
    while (lane.queue.length > queueDepth) {
      await new Promise<void>((resolve) => {
        lane.wake = resolve
      })
      this.throwIfFailed()
    }
    const stream = new PassThrough({ highWaterMark: blockBufferBytes })
    this.streams.add(stream)
    lane.queue.push({ sql, table, stream })
    if (lane.queue.length === 1) lane.idle = this.drain(lane)
    return {
      write: async (chunk) => {
        this.throwIfFailed()
        if (!sized) lane.bytes += chunk.length
        if (!stream.destroyed && !stream.write(chunk)) await drained(stream)
        if (stream.destroyed) await this.failed()
      },
      end: () => stream.end(),
    }
  }

  /**
   * Wait for every block, then commit every session; throws the first failure
   * as soon as it happens (the caller ends the sessions; blocks still running
   * have been failed and do not hold it up).
   */
  async finish(): Promise<void> {
    await Promise.race([Promise.all(this.lanes.map((lane) => lane.idle)), this.stopped])
    this.throwIfFailed()
    await Promise.all(this.lanes.filter((l) => l.began).map((l) => l.client.query('COMMIT')))
  }

  /**
   * Stop: every block still running or queued is abandoned. A running COPY is
   * failed itself (its stream sends CopyFail, so the server leaves COPY): a
   * destroyed block stream alone does not stop it, because pipeline() never
   * notices the destruction of a stream that had already ended but was not yet
   * read to its end, and the server session would wait for data forever.
   */
  abort(error: unknown): void {
    this.failure ??= { error }
    for (const stream of this.streams) stream.destroy()
    // The message goes to the server (CopyFail) and its log: no row text in it.
    for (const copy of this.copies) copy.destroy(new Error('the load stopped: another COPY failed'))
    for (const lane of this.lanes) lane.wake?.()
    this.stop()
  }

  private laneFor(table: string): Lane {
    let lane = this.laneOf.get(table)
    if (!lane) {
      lane = this.lanes.reduce((a, b) => (b.bytes < a.bytes ? b : a))
      this.laneOf.set(table, lane)
      lane.bytes += this.tableBytes.get(table) ?? 0
    }
    return lane
  }

  /** Run the lane's blocks in order until its queue is empty. */
  private async drain(lane: Lane): Promise<void> {
    while (lane.queue.length > 0) {
      const block = lane.queue[0] as Block
      try {
        if (!this.failure) await this.run(lane, block)
      } catch (err) {
        this.abort(err)
      } finally {
        this.streams.delete(block.stream)
        lane.queue.shift()
        const wake = lane.wake
        lane.wake = null
        wake?.()
      }
    }
  }

  private async run(lane: Lane, block: Block): Promise<void> {
    const { client } = lane
    if (!lane.began) {
      await client.query('BEGIN')
      lane.began = true
    }
    let plan = lane.tables.get(block.table)
    if (plan === undefined) {
      plan = await this.planTable(client, block.sql)
      lane.tables.set(block.table, plan)
    }
    // The pool may have failed while this session got ready: then the block's
    // stream is destroyed (perhaps after it had ended, which pipeline() never
    // notices), so its COPY would wait for rows forever. Never start it.
    if (this.failure) return
    const sql = plan.freeze ? block.sql.replace(/;?\s*$/, ' WITH (FREEZE)') : block.sql
    const copy = client.query(copyFrom(sql))
    this.copies.add(copy)
    try {
      await pipeline(block.stream, copy)
    } finally {
      this.copies.delete(copy)
    }
    const rows = (this.rows.get(block.table) ?? 0) + copy.rowCount
    this.rows.set(block.table, rows)
    const expected = this.analyzeWhenLoaded?.expectedRows.get(block.table)
    if (plan.analyze && rows === expected && !this.failure) {
      if (await analyzeNow(client, copyTarget(block.sql) as string)) this.analyzed.add(block.table)
    }
    this.onBlockDone(block.table, copy.rowCount)
  }

  /**
   * A plain table, created empty by the schema part: truncating it in this
   * transaction is what lets COPY freeze its rows. Partitioned tables cannot
   * be frozen; a COPY with options of its own is left as it is. A table
   * another session holds a lock on (a partition of a table it loaded and
   * analyzed) loads without FREEZE: waiting for that lock would never end,
   * since every session commits only once all are done.
   *
   * Analyzed as soon as loaded: a table without children (a partition too,
   * while its pages are hot and the other sessions load: its partitioned
   * table is analyzed later, sampling the whole tree once, without
   * analyzing this partition again), or a partitioned table loaded through
   * its root (its ANALYZE covers its partitions). An inheritance parent is
   * analyzed at the end, when its children are surely loaded.
   */
  private async planTable(client: pg.Client, sql: string): Promise<TablePlan> {
    const target = copyTarget(sql)
    if (!target) return { freeze: false, analyze: false }
    const { rows } = await client.query<{
      relkind: string
      relispartition: boolean
      relhassubclass: boolean
    }>('SELECT relkind, relispartition, relhassubclass FROM pg_class WHERE oid = $1::regclass', [
      target,
    ])
    const table = rows[0]
    const analyze =
      this.analyzeWhenLoaded !== null &&
      table !== undefined &&
      ((table.relkind === 'p' && !table.relispartition) ||
        (table.relkind === 'r' && !table.relhassubclass))
    if (table?.relkind !== 'r' || !/\bFROM\s+stdin\s*;?\s*$/i.test(sql)) {
      return { freeze: false, analyze }
    }
    const freeze = await withoutWaiting(client, async () => {
      await client.query(`LOCK TABLE ONLY ${target} IN ACCESS EXCLUSIVE MODE NOWAIT`)
      await client.query(`TRUNCATE ONLY ${target}`)
    })
    return { freeze, analyze }
  }

  /**
   * The block's stream was destroyed: its COPY failed, and the failure is
   * recorded a moment later (or it was aborted). Wait for it and throw it.
   */
  private async failed(): Promise<never> {
    for (let i = 0; i < 100 && !this.failure; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    throw this.failure?.error ?? new Error('a COPY stream stopped')
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error
  }
}

/**
 * ANALYZE a table in the loading transaction, unless another session holds a
 * lock on it or on one of its partitions (one that session loads, truncated
 * for FREEZE): waiting would never end, since every session commits only once
 * all are done. Then it is left for the end.
 */
function analyzeNow(client: pg.Client, table: string): Promise<boolean> {
  return withoutWaiting(client, async () => {
    // LOCK TABLE also locks every partition: ANALYZE then waits for nothing.
    await client.query(`LOCK TABLE ${table} IN SHARE UPDATE EXCLUSIVE MODE NOWAIT`)
    await client.query(`ANALYZE ${table}`)
  })
}

/**
 * Run `fn` in a savepoint of the loading transaction; false (and undone) when
 * it needed a lock another session holds (its LOCK … NOWAIT failed).
 */
async function withoutWaiting(client: pg.Client, fn: () => Promise<void>): Promise<boolean> {
  await client.query('SAVEPOINT dumpling_nowait')
  try {
    await fn()
    await client.query('RELEASE SAVEPOINT dumpling_nowait')
    return true
  } catch (err) {
    if ((err as { code?: string }).code !== '55P03') throw err
    await client.query('ROLLBACK TO SAVEPOINT dumpling_nowait')
    await client.query('RELEASE SAVEPOINT dumpling_nowait')
    return false
  }
}

function drained(stream: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    // Destroyed already: its 'close' may have passed before anyone listened.
    if (stream.destroyed) return resolve()
    const done = () => {
      stream.off('drain', done)
      stream.off('close', done)
      resolve()
    }
    stream.on('drain', done)
    stream.on('close', done)
  })
}

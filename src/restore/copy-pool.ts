import { PassThrough } from 'node:stream'
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

/** One loading session: its tables, its queue, its open transaction. */
interface Lane {
  client: pg.Client
  /** Tables this session loads, and whether their rows are frozen. */
  frozen: Map<string, boolean>
  queue: Block[]
  bytes: number
  began: boolean
  /** Resolves when the queue is empty and nothing runs. */
  idle: Promise<void>
  wake: (() => void) | null
}

/**
 * Runs COPY … FROM STDIN blocks over several sessions. Every block of a table
 * goes to the same session (new tables to the session with the least data so
 * far), inside one transaction that first truncates the table: then COPY can
 * FREEZE the rows, so nobody (ANALYZE first of all) has to set hint bits on
 * every page later, and two sessions never fight over extending one table.
 * Memory is bounded: a session holds the block it runs and `queueDepth` more.
 * The first failure stops everything and is what `finish` throws.
 */
export class CopyPool {
  private readonly lanes: Lane[]
  private readonly laneOf = new Map<string, Lane>()
  private readonly streams = new Set<PassThrough>()
  private failure: { error: unknown } | null = null
  /** Rows loaded per table, as the server counted them. */
  readonly rows = new Map<string, number>()

  constructor(
    clients: pg.Client[],
    private readonly onBlockDone: (table: string, rows: number) => void = () => {},
  ) {
    this.lanes = clients.map((client) => ({
      client,
      frozen: new Map(),
      queue: [],
      bytes: 0,
      began: false,
      idle: Promise.resolve(),
      wake: null,
    }))
  }

  async begin(sql: string, table: string): Promise<CopySink> {
    this.throwIfFailed()
    const lane = this.laneFor(table)
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
        lane.bytes += chunk.length
        if (!stream.destroyed && !stream.write(chunk)) await drained(stream)
        if (stream.destroyed) await this.failed()
      },
      end: () => stream.end(),
    }
  }

  /** Wait for every block, then commit every session; throws the first failure. */
  async finish(): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.idle))
    this.throwIfFailed()
    await Promise.all(this.lanes.filter((l) => l.began).map((l) => l.client.query('COMMIT')))
  }

  /** Stop: every block still running or queued is abandoned. */
  abort(error: unknown): void {
    this.failure ??= { error }
    for (const stream of this.streams) stream.destroy()
    for (const lane of this.lanes) lane.wake?.()
  }

  private laneFor(table: string): Lane {
    let lane = this.laneOf.get(table)
    if (!lane) {
      lane = this.lanes.reduce((a, b) => (b.bytes < a.bytes ? b : a))
      this.laneOf.set(table, lane)
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
    let freeze = lane.frozen.get(block.table)
    if (freeze === undefined) {
      freeze = await this.truncateForFreeze(client, block.sql)
      lane.frozen.set(block.table, freeze)
    }
    const sql = freeze ? block.sql.replace(/;?\s*$/, ' WITH (FREEZE)') : block.sql
    const copy = client.query(copyFrom(sql))
    await pipeline(block.stream, copy)
    this.rows.set(block.table, (this.rows.get(block.table) ?? 0) + copy.rowCount)
    this.onBlockDone(block.table, copy.rowCount)
  }

  /**
   * A plain table, created empty by the schema part: truncating it in this
   * transaction is what lets COPY freeze its rows. Partitioned tables cannot
   * be frozen; a COPY with options of its own is left as it is.
   */
  private async truncateForFreeze(client: pg.Client, sql: string): Promise<boolean> {
    const target = copyTarget(sql)
    if (!target || !/\bFROM\s+stdin\s*;?\s*$/i.test(sql)) return false
    const { rows } = await client.query<{ relkind: string }>(
      'SELECT relkind FROM pg_class WHERE oid = $1::regclass',
      [target],
    )
    if (rows[0]?.relkind !== 'r') return false
    await client.query(`TRUNCATE ONLY ${target}`)
    return true
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

import { PassThrough } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'

/** Uncompressed bytes one COPY block may hold in memory before the reader waits. */
const blockBufferBytes = 4 << 20

/** Where the reader writes one COPY block's rows. */
export interface CopySink {
  /** Resolves at once unless the block's buffer is full; rejects once any COPY failed. */
  write(chunk: Buffer): Promise<void>
  end(): void
}

/**
 * Runs COPY … FROM STDIN blocks over several connections. The reader hands
 * each block to `begin` and moves on: one block per connection runs while one
 * more fills its buffer, so memory is bounded by (connections + 1) blocks,
 * never a table. The first failure stops everything and is what `finish` throws.
 */
export class CopyPool {
  private readonly idle: pg.Client[]
  private readonly waiting: ((client: pg.Client) => void)[] = []
  private readonly inflight = new Set<Promise<void>>()
  private readonly streams = new Set<PassThrough>()
  private failure: { error: unknown } | null = null
  /** Rows loaded per table, as the server counted them. */
  readonly rows = new Map<string, number>()

  constructor(
    clients: pg.Client[],
    private readonly onBlockDone: (table: string, rows: number) => void = () => {},
  ) {
    this.idle = [...clients]
    this.capacity = clients.length + 1
  }

  private readonly capacity: number

  async begin(sql: string, table: string): Promise<CopySink> {
    this.throwIfFailed()
    while (this.inflight.size >= this.capacity) {
      await Promise.race(this.inflight)
      this.throwIfFailed()
    }
    const stream = new PassThrough({ highWaterMark: blockBufferBytes })
    this.streams.add(stream)
    const run = this.run(stream, sql, table).finally(() => {
      this.inflight.delete(run)
      this.streams.delete(stream)
    })
    this.inflight.add(run)
    return {
      write: async (chunk) => {
        this.throwIfFailed()
        if (!stream.write(chunk)) await drained(stream)
        this.throwIfFailed()
      },
      end: () => stream.end(),
    }
  }

  /** Wait for every block; throws the first failure. */
  async finish(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all(this.inflight)
    this.throwIfFailed()
  }

  /** Stop: every block still running or queued is abandoned. */
  abort(error: unknown): void {
    this.failure ??= { error }
    for (const stream of this.streams) stream.destroy()
  }

  private async run(stream: PassThrough, sql: string, table: string): Promise<void> {
    const client = await this.acquire()
    try {
      if (this.failure) return
      const copy = client.query(copyFrom(sql))
      await pipeline(stream, copy)
      this.rows.set(table, (this.rows.get(table) ?? 0) + copy.rowCount)
      this.onBlockDone(table, copy.rowCount)
    } catch (err) {
      this.abort(err)
    } finally {
      this.release(client)
    }
  }

  private acquire(): Promise<pg.Client> {
    const client = this.idle.pop()
    if (client) return Promise.resolve(client)
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  private release(client: pg.Client): void {
    const next = this.waiting.shift()
    if (next) next(client)
    else this.idle.push(client)
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error
  }
}

function drained(stream: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done)
      stream.off('close', done)
      resolve()
    }
    stream.on('drain', done)
    stream.on('close', done)
  })
}

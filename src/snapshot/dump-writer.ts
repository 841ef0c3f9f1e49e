import { createHash } from 'node:crypto'
import { once } from 'node:events'
import type { Readable, Writable } from 'node:stream'
import { finished, pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import { createGzip, gzip } from 'node:zlib'

const gzipAsync = promisify(gzip)

/** gzip -1: compression is most of the cost (design.md, "Costs measured"). */
export const gzipLevel = 1

/**
 * Appends gzip members to one sink (a file, an S3 upload), in call order. A gzip
 * file may hold many members back to back and `gunzip -c` reads them as one
 * stream, so each job compresses its own chunks on the thread pool and the file
 * is still one dump. Members are written in the order they were appended, whenever
 * each is ready. Writes wait for the sink's 'drain': memory stays bounded.
 */
export interface DumpWriter {
  /** Compress `text` off the main thread and append it as one member, in call order. */
  appendText(text: Buffer | string): Promise<void>
  /** Append bytes that are already one complete gzip member. */
  appendCompressed(member: Buffer): Promise<void>
  /** Append a stream (pg_dump's output) compressed as one member. */
  appendStream(source: Readable): Promise<void>
  /** Flush and end the sink; returns the compressed size and sha256 of what was written. */
  close(): Promise<{ bytes: number; sha256: string }>
  /** Destroy the sink, after a failure; its owner removes what was written. */
  abort(): void
}

export function createDumpWriter(sink: Writable): DumpWriter {
  const hash = createHash('sha256')
  let bytes = 0
  let failure: Error | null = null
  /** Aborted with the writer: a write waiting for 'drain' from a destroyed sink gives up. */
  const aborted = new AbortController()
  sink.on('error', (err) => {
    failure = err
  })
  /** Writes happen one after another, in the order they were asked for. */
  let tail: Promise<void> = Promise.resolve()

  const write = async (chunk: Buffer): Promise<void> => {
    if (failure) throw failure
    hash.update(chunk)
    bytes += chunk.length
    if (!sink.write(chunk)) await once(sink, 'drain', { signal: aborted.signal })
  }

  const enqueue = (task: () => Promise<void>): Promise<void> => {
    const run = tail.then(task)
    tail = run.catch(() => {})
    return run
  }

  return {
    appendText(text) {
      // Its place is taken now, while it compresses: the order of calls, not of compressions.
      const compressed = gzipAsync(text, { level: gzipLevel })
      compressed.catch(() => {})
      return enqueue(async () => write(await compressed))
    },
    appendCompressed(member) {
      return enqueue(() => write(member))
    },
    appendStream(source) {
      return enqueue(async () => {
        if (failure) {
          source.destroy()
          throw failure
        }
        const gz = createGzip({ level: gzipLevel })
        // A source that fails or closes early fails the member; a failed write (the
        // reader below stops, gz is destroyed) ends the source, so its producer ends too.
        pipeline(source, gz).catch(() => {})
        for await (const chunk of gz) await write(chunk as Buffer)
      })
    },
    async close() {
      await tail
      if (failure) throw failure
      sink.end()
      await finished(sink, { readable: false })
      return { bytes, sha256: hash.digest('hex') }
    },
    abort() {
      failure ??= new Error('The dump was aborted.')
      aborted.abort()
      sink.destroy()
    },
  }
}

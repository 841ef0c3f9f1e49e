import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { type PgDump, spawnPgDump, waitForExit } from '../db/pg-dump.js'

/** One `pg_dump --section` running inside the exported snapshot. */
export interface PgDumpSection {
  /** pg_dump's output, read from its spool file once pg_dump has exited 0. */
  output: Readable
  /**
   * Resolves when pg_dump exited 0 with all its output spooled; rejects with its
   * stderr otherwise. Settles on every path, kill() included.
   */
  exited: Promise<void>
  /** End pg_dump early (another part failed, or the run was interrupted), and drop its spool. */
  kill(): void
}

/**
 * Start pg_dump for one section now and spool its output to a temporary file as
 * fast as it writes: pg_dump never waits on us, so it finishes (and releases the
 * ACCESS SHARE locks it holds on every table) within its own time, whatever the
 * schema's size. The dump copies the file in its place later. The file (schema
 * text, never a row) is created 0600 in a private folder under os.tmpdir() and
 * unlinked as soon as it is open: nothing is left on disk, even after a crash.
 */
export function startPgDumpSection(
  pgDump: PgDump,
  url: string,
  section: 'pre-data' | 'post-data',
  snapshot: string,
): PgDumpSection {
  const name = `pg_dump --section=${section}`
  const child = spawnPgDump(pgDump, url, section, snapshot)
  const exit = waitForExit(child, name)
  exit.catch(() => {})
  const spool = openSpool(section)
  spool.catch(() => {})
  // Settled once: by success, or by the first failure (pg_dump's own, the spool's, or kill()).
  let succeed: () => void = () => {}
  let fail: (err: Error) => void = () => {}
  const exited = new Promise<void>((resolve, reject) => {
    succeed = resolve
    fail = reject
  })
  exited.catch(() => {})
  let released: Promise<void> | null = null
  /**
   * Close the spool file (unlinked already): its space goes back to the system. A read-back
   * in progress closes it too, at its end; close() waits for it and for a pending write.
   */
  const release = () => {
    released ??= spool.then(
      (file) => file.close(),
      () => {},
    )
    released.catch(() => {})
  }
  const kill = (reason?: Error) => {
    if (child.exitCode === null && child.signalCode === null) child.kill()
    // With its stdout destroyed the child closes, and `exit` settles, whoever was reading.
    child.stdout?.destroy()
    taken.destroy()
    output.destroy()
    fail(reason ?? new Error(`${name} was stopped.`))
    release()
  }
  // Read from now on, into a small buffer until the file is open (a few milliseconds):
  // output nobody listens to when the child exits would be thrown away by Node.
  const taken = new PassThrough()
  if (child.stdout) pipeline(child.stdout, taken).catch(() => {})
  else taken.destroy(new Error('pg_dump has no stdout'))
  // Written through the handle itself: a write stream would hold the handle open for good.
  const spooled = spool.then(async (file) => {
    for await (const chunk of taken) await writeAll(file, chunk as Buffer)
  })
  // The first failure is the cause (a spool that fails first makes pg_dump die of a broken
  // pipe only later), and it stops the rest: pg_dump must not wait on a pipe nobody reads,
  // and a failed pg_dump is not kept waiting for a spool file still being opened.
  exit.catch((err: Error) => kill(err))
  spooled.catch((err: Error) => kill(err))
  Promise.all([exit, spooled]).then(
    () => succeed(),
    () => {},
  )
  async function* read(): AsyncGenerator<Buffer> {
    try {
      await exited
      const file = await spool
      // Closes the handle at its end (or when the read is stopped).
      for await (const chunk of file.createReadStream({ start: 0 })) yield chunk as Buffer
    } finally {
      release()
    }
  }
  const output = Readable.from(read(), { objectMode: false })
  // Also when the output is dropped before anyone read it.
  output.once('close', release)
  return { output, exited, kill: () => kill() }
}

/** Write all of `chunk` at the file's position. */
async function writeAll(file: FileHandle, chunk: Buffer): Promise<void> {
  for (let at = 0; at < chunk.length; ) {
    const { bytesWritten } = await file.write(chunk, at, chunk.length - at, null)
    at += bytesWritten
  }
}

/** A new file, 0600 in a private 0700 folder, both removed at once: only the handle keeps it. */
async function openSpool(section: string): Promise<FileHandle> {
  let dir: string | null = null
  let file: FileHandle | null = null
  try {
    dir = await mkdtemp(join(tmpdir(), 'dumpling-'))
    file = await open(join(dir, `${section}.sql`), 'wx+', 0o600)
    await rm(dir, { recursive: true, force: true })
    return file
  } catch (err) {
    await file?.close().catch(() => {})
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {})
    throw new Error(
      `Could not make a temporary file for pg_dump's ${section} output in ${tmpdir()} (${(err as Error).message}). Set TMPDIR to a writable folder.`,
      { cause: err },
    )
  }
}

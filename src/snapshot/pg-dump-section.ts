import { mkdtemp, open, rm } from 'node:fs/promises'
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
  const child = spawnPgDump(pgDump, url, section, snapshot)
  const exit = waitForExit(child, `pg_dump --section=${section}`)
  exit.catch(() => {})
  const spool = openSpool(section)
  spool.catch(() => {})
  let released: Promise<void> | null = null
  /** Close the spool file (it is unlinked already): its space goes back to the system. */
  const release = () => {
    released ??= spool.then(
      (file) => file.close(),
      () => {},
    )
    released.catch(() => {})
  }
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill()
    // With its stdout destroyed the child closes, and `exit` settles, whoever was reading.
    child.stdout?.destroy()
    taken.destroy()
    output.destroy()
    release()
  }
  // Read from now on, into a small buffer until the file is open (a few milliseconds):
  // output nobody listens to when the child exits would be thrown away by Node.
  const taken = new PassThrough()
  if (child.stdout) pipeline(child.stdout, taken).catch(() => {})
  else taken.destroy(new Error('pg_dump has no stdout'))
  const spooled = spool.then((file) =>
    pipeline(taken, file.createWriteStream({ autoClose: false })),
  )
  const exited = Promise.allSettled([exit, spooled]).then(([ended, written]) => {
    // pg_dump's own message first: a broken spool is only its consequence, or a disk full.
    if (ended.status === 'rejected') throw ended.reason
    if (written.status === 'rejected') throw written.reason
  })
  exited.catch(() => kill())
  async function* read(): AsyncGenerator<Buffer> {
    try {
      await exited
      const file = await spool
      for await (const chunk of file.createReadStream({ start: 0, autoClose: false })) {
        yield chunk as Buffer
      }
    } finally {
      release()
    }
  }
  const output = Readable.from(read(), { objectMode: false })
  return { output, exited, kill }
}

/** A new file, 0600 in a private 0700 folder, both removed at once: only the handle keeps it. */
async function openSpool(section: string) {
  const dir = await mkdtemp(join(tmpdir(), 'dumpling-'))
  try {
    return await open(join(dir, `${section}.sql`), 'wx+', 0o600)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

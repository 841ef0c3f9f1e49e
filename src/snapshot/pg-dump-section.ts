import { PassThrough, type Readable } from 'node:stream'
import { type PgDump, spawnPgDump, waitForExit } from '../db/pg-dump.js'

/**
 * Output held in memory before pg_dump is made to wait (twice this at most: the
 * two sides of a stream). A section is schema text, never rows; a schema larger
 * than this only keeps pg_dump waiting on its pipe until the dump takes it.
 */
const heldBytes = 8 << 20

/** One `pg_dump --section` running inside the exported snapshot. */
export interface PgDumpSection {
  /** pg_dump's output, read from the start and held until the dump reaches its place. */
  output: Readable
  /** Resolves when pg_dump exits 0; rejects with its stderr otherwise. */
  exited: Promise<void>
  /** End pg_dump early (another part failed, or the run was interrupted). */
  kill(): void
}

/**
 * Start pg_dump for one section now and hold its output: pre-data runs while
 * the rules are checked and post-data while the rows are copied, and each is
 * written in its place in the dump later.
 */
export function startPgDumpSection(
  pgDump: PgDump,
  url: string,
  section: 'pre-data' | 'post-data',
  snapshot: string,
): PgDumpSection {
  const child = spawnPgDump(pgDump, url, section, snapshot)
  const exited = waitForExit(child, `pg_dump --section=${section}`)
  exited.catch(() => {})
  const output = new PassThrough({ highWaterMark: heldBytes })
  child.stdout?.pipe(output)
  return {
    output,
    exited,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill()
    },
  }
}

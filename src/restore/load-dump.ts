import type { Readable } from 'node:stream'
import type pg from 'pg'
import { AppError } from '../errors.js'
import type { AfterData } from './analyze-tables.js'
import { type AnalyzeWhenLoaded, CopyPool, type CopySink } from './copy-pool.js'
import { runParallel } from './run-parallel.js'
import { nextPiece } from './sql-splitter.js'
import { copyTableName, planPostData, statementKind } from './statement-kind.js'

export interface LoadProgress {
  /** COPY blocks done, and the rows in them. */
  blocks: number
  rows: number
  tablesLoaded: number
  phase: 'schema' | 'data' | 'indexes' | 'constraints'
}

export interface LoadOptions {
  /** The uncompressed plain-SQL dump, read once. */
  input: Readable
  /** One session that runs the schema and every statement that must run in order. */
  main: pg.Client
  /** Sessions for COPY blocks, indexes and foreign keys, all in parallel. */
  workers: pg.Client[]
  onProgress?: (progress: LoadProgress) => void
  /** ANALYZE each table in its loading session once its expected rows are in. */
  analyzeWhenLoaded?: AnalyzeWhenLoaded | undefined
  /** Uncompressed COPY bytes per table (`schema.table`), the manifest's: balances the sessions. */
  tableBytes?: ReadonlyMap<string, number> | undefined
  /**
   * ANALYZE work to run alongside the index builds once the rows are
   * committed (given the tables that received rows): statements for every
   * session, taken first (they are the long ones), and work on sessions of
   * its own, which index builds naming its tables wait for.
   */
  alongsideIndexes?: ((loaded: LoadResult) => Promise<AfterData>) | undefined
}

export interface LoadResult {
  /** Rows loaded per table (`schema.table`), as the server counted them. */
  rows: Map<string, number>
  /** Tables analyzed while the others loaded (see `analyzeWhenLoaded`). */
  analyzed: Set<string>
}

/** Bytes of SQL text parsed at a time (more only for a statement longer than that). */
const sqlWindow = 64 << 10

/** What ends a COPY block: a line holding only `\.`. */
const endOfData = Buffer.from('\n\\.\n')

/** An empty COPY block's end, at the start of its rows; and the same ending the dump. */
const blockEnd = Buffer.from('\\.\n')
const lastBlockEnd = Buffer.from('\\.')

/**
 * Load a plain-SQL dump (pg_dump's, or Dumpling's with its COPY blocks) into
 * an empty database. Statements are split with a lexer that knows quotes,
 * dollar quotes and comments; `\restrict KEY` / `\unrestrict KEY` are honoured
 * as psql does (any other meta-command is refused). Table data streams over
 * the worker sessions in parallel while the one compressed stream is read;
 * then indexes and keys are built in parallel, the statements that need them
 * run in order, and foreign keys are added in parallel last.
 */
export async function loadDump(options: LoadOptions): Promise<LoadResult> {
  const { main, workers } = options
  const settings: string[] = []
  const postData: string[] = []
  const tables = new Set<string>()
  const progress: LoadProgress = { blocks: 0, rows: 0, tablesLoaded: 0, phase: 'schema' }
  const report = () => options.onProgress?.({ ...progress })
  const pool = new CopyPool(
    workers,
    (table, rows) => {
      progress.blocks++
      progress.rows += rows
      tables.add(table)
      progress.tablesLoaded = tables.size
      report()
    },
    options.analyzeWhenLoaded ?? null,
    options.tableBytes,
  )
  let restrictKey: string | null = null
  let sawData = false

  const onStatement = async (sql: string) => {
    const kind = statementKind(sql)
    if (kind === 'setting') {
      settings.push(sql)
      await run(main, sql)
    } else if (!sawData || /^\s*SELECT\s+pg_catalog\.setval\(/i.test(sql)) {
      await run(main, sql)
    } else {
      postData.push(sql)
    }
  }
  const onMeta = (command: string, argument: string, line: number) => {
    if (command === 'restrict' && restrictKey === null && argument) {
      restrictKey = argument
    } else if (command === 'unrestrict' && argument === restrictKey) {
      restrictKey = null
    } else {
      throw new AppError(
        'restore_failed',
        `The dump holds the psql meta-command \\${command} (near line ${line}). Dumpling runs SQL statements only and refuses other meta-commands; \\restrict and \\unrestrict (pg_dump 15.14+, 16.10+, 17.6+) are the only ones it reads.`,
      )
    }
  }
  const onCopy = async (sql: string): Promise<CopySink> => {
    if (!sawData) {
      sawData = true
      progress.phase = 'data'
      report()
      // COPY sessions must read data as the dump wrote it (client_encoding, …).
      await Promise.all(workers.map((w) => runAll(w, settings)))
    }
    return pool.begin(sql, copyTableName(sql))
  }

  try {
    await readDump(options.input, { onStatement, onMeta, onCopy })
    await pool.finish()
  } catch (err) {
    // Not waiting for the blocks still running: the caller ends their sessions,
    // which fails them. A backend left waiting in COPY would, on PostgreSQL 15,
    // also hold up every DROP DATABASE on the server (its signal barrier).
    pool.abort(err)
    throw err
  }

  const plan = planPostData(postData)
  await Promise.all(workers.map((w) => runAll(w, settings)))
  progress.phase = 'indexes'
  report()
  const alongside = (await options.alongsideIndexes?.({
    rows: pool.rows,
    analyzed: pool.analyzed,
  })) ?? { statements: [], separate: [] }
  // Work on sessions of its own starts first, one item after another (each opens two
  // sessions: however many partitioned tables there are, that many and no more);
  // statements naming its tables run after it (a name found inside a longer one only
  // makes one more statement wait).
  const held = alongside.separate.flatMap((s) => s.tables)
  const waits = (sql: string) => held.some((name) => sql.includes(name))
  const separate = (async () => {
    for (const work of alongside.separate) await work.run()
  })()
  // Awaited below; should the statements fail first, its failure is not unhandled.
  separate.catch(() => {})
  // An ANALYZE and an index build on the same table wait for each other in turn;
  // should the server see a deadlock between them, the loser runs again.
  await runParallel(
    alongside.statements.length > 0 ? [main, ...workers] : workers,
    [...alongside.statements, ...plan.indexes.filter((sql) => !waits(sql))],
    runRetryingDeadlocks,
  )
  await separate
  await runParallel(workers, plan.indexes.filter(waits), runRetryingDeadlocks)
  await runAll(main, plan.beforeForeignKeys)
  progress.phase = 'constraints'
  report()
  await runParallel(workers, plan.foreignKeys, runRetryingDeadlocks)
  await runAll(main, plan.afterForeignKeys)
  return { rows: pool.rows, analyzed: pool.analyzed }
}

interface DumpHandlers {
  onStatement(sql: string): Promise<void>
  onMeta(command: string, argument: string, line: number): void
  onCopy(sql: string): Promise<CopySink>
}

/**
 * The reader: SQL text is split into statements; after a COPY … FROM stdin
 * statement the bytes up to the `\.` line go to the COPY sink untouched.
 */
async function readDump(input: Readable, handlers: DumpHandlers): Promise<void> {
  let pending: Buffer = Buffer.alloc(0)
  let sink: CopySink | null = null
  let atBlockStart = false
  let lines = 1
  let copyStatement = ''

  const consume = async (atEnd: boolean) => {
    for (;;) {
      if (sink) {
        if (atBlockStart) {
          if (pending.length < 3 && !atEnd) return
          // Bytes compared, not decoded: decoding all of `pending` here (most of
          // a chunk, at every block) cost ~0.2 CPU-s a restore.
          if (pending.subarray(0, 3).equals(blockEnd) || (atEnd && pending.equals(lastBlockEnd))) {
            sink.end()
            sink = null
            pending = pending.subarray(Math.min(3, pending.length))
            continue
          }
          atBlockStart = false
        }
        const end = pending.indexOf(endOfData)
        if (end === -1) {
          if (atEnd) {
            if (pending.toString().endsWith('\n\\.')) {
              await sink.write(pending.subarray(0, pending.length - 2))
              sink.end()
              sink = null
              return
            }
            throw new AppError(
              'restore_failed',
              `The dump ends inside the rows of ${copyTableName(copyStatement)}: it is truncated.`,
            )
          }
          const keep = Math.min(pending.length, endOfData.length - 1)
          if (pending.length > keep) await sink.write(pending.subarray(0, pending.length - keep))
          pending = pending.subarray(pending.length - keep)
          return
        }
        await sink.write(pending.subarray(0, end + 1))
        sink.end()
        sink = null
        pending = pending.subarray(end + endOfData.length)
        continue
      }
      // latin1: one character per byte, so offsets are byte offsets. Only a window
      // of the buffer becomes text: after a block, the rest of a chunk is mostly
      // the next block's rows, and only the statement before them is wanted.
      let size = Math.min(pending.length, sqlWindow)
      let whole = false
      let at = 0
      let copy: string | null = null
      for (;;) {
        whole = size === pending.length
        const text = pending.toString('latin1', 0, size)
        const last = atEnd && whole
        for (;;) {
          const piece = nextPiece(text, at, last)
          if (!piece) break
          const line = lines
          lines += countNewlines(text, at, piece.end)
          if (piece.kind === 'meta') {
            handlers.onMeta(piece.command, piece.argument, line)
            at = piece.end
            continue
          }
          const sql = Buffer.from(piece.sql, 'latin1').toString('utf8')
          if (statementKind(sql) === 'copy') {
            // The rows start on the line after the statement.
            const eol = text.indexOf('\n', piece.end)
            if (eol === -1 && !last) {
              lines = line
              break
            }
            at = eol === -1 ? text.length : eol + 1
            copy = sql
            break
          }
          await handlers.onStatement(sql)
          at = piece.end
        }
        if (copy !== null || at > 0 || whole) break
        size = Math.min(pending.length, size * 4)
      }
      pending = pending.subarray(at)
      if (copy === null) {
        // More of the buffer to read; or, at the end, whitespace and comments only.
        if (!whole) continue
        return
      }
      copyStatement = copy
      sink = await handlers.onCopy(copy)
      atBlockStart = true
    }
  }

  for await (const chunk of input as AsyncIterable<Buffer>) {
    // consume() sets it: TypeScript cannot tell.
    const open = sink as CopySink | null
    if (pending.length === 0) {
      pending = chunk
    } else if (open && !atBlockStart && pending.length < endOfData.length) {
      // Inside a block, only the few bytes that may start its end are held back:
      // unless the end straddles them and the chunk's head, pass them on rather
      // than copy every chunk into a new buffer.
      const seam = Buffer.concat([pending, chunk.subarray(0, endOfData.length - 1)])
      if (seam.indexOf(endOfData) === -1) {
        await open.write(pending)
        pending = chunk
      } else {
        pending = Buffer.concat([pending, chunk])
      }
    } else {
      pending = Buffer.concat([pending, chunk])
    }
    await consume(false)
  }
  await consume(true)
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++
  return n
}

async function runAll(client: pg.Client, statements: string[]): Promise<void> {
  for (const sql of statements) await run(client, sql)
}

async function run(client: pg.Client, sql: string): Promise<void> {
  try {
    await client.query(sql)
  } catch (err) {
    const first = sql.trim().split('\n')[0]?.slice(0, 160) ?? ''
    throw new AppError('restore_failed', `${(err as Error).message}, in: ${first}`, { cause: err })
  }
}

/** Two foreign keys between the same tables can deadlock; the loser simply runs again. */
async function runRetryingDeadlocks(client: pg.Client, sql: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(client, sql)
    } catch (err) {
      const code = ((err as Error).cause as { code?: string } | undefined)?.code
      if (code !== '40P01' || attempt >= 5) throw err
    }
  }
}

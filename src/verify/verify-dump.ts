import type { Readable } from 'node:stream'
import { withSource } from '../db/connect.js'
import { AppError } from '../errors.js'
import type { PlannedTable } from '../rules/check-rules.js'
import { leakPatterns, minValueLength, type SkipReason } from './leak-patterns.js'
import { createPrefixIndex } from './prefix-index.js'
import { sampleOriginals } from './sample-originals.js'
import { scanDump } from './scan-dump.js'

/** Where originals were found: counts and names only, never a value. */
export interface Leak {
  /** `schema.table` of the COPY block, or null for SQL outside table data. */
  table: string | null
  column: string | null
  hits: number
  /** The transformed columns (`schema.table.column`) whose originals were found here. */
  from: string[]
}

export interface VerifyReport {
  /** Transformed columns whose originals were searched for. */
  columns: number
  values: number
  skipped: Record<SkipReason, number>
  notText: string[]
  /** Uncompressed bytes scanned. */
  bytes: number
  sampleMs: number
  scanMs: number
  leaks: Leak[]
}

export interface VerifyOptions {
  /** The source, read-only. */
  url: string
  /** An exported snapshot to sample inside (`snapshot --verify`); else the source as it is now. */
  snapshot?: string | null
  /** The dumped tables and their rules, as `checkRules` planned them. */
  tables: readonly PlannedTable[]
  /** The finished dump.sql.gz, streamed once. */
  openDump: () => Promise<Readable>
}

/**
 * Prove that no sampled original reached the dump: sample originals of every
 * transformed column from the source, then stream the whole compressed dump
 * once and count where any of them appears (kept columns, JSON, free text,
 * the schema). The report names tables and columns, never a value.
 */
export async function verifyDump(options: VerifyOptions): Promise<VerifyReport> {
  const sampleStarted = performance.now()
  const samples = await withSource(options.url, async (client) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY')
    if (options.snapshot) {
      await client.query(`SET TRANSACTION SNAPSHOT '${options.snapshot.replaceAll("'", "''")}'`)
    }
    const result = await sampleOriginals(client, options.tables)
    await client.query('COMMIT')
    return result
  })
  const patterns: Buffer[] = []
  /** Per pattern: the sampled columns it came from (the same email is in several). */
  const sources: number[][] = []
  const seen = new Map<string, number>()
  let values = 0
  samples.columns.forEach((column, c) => {
    values += column.values.length
    for (const value of column.values) {
      for (const p of leakPatterns(value)) {
        const key = p.toString('latin1')
        const known = seen.get(key)
        if (known !== undefined) {
          const list = sources[known] as number[]
          if (!list.includes(c)) list.push(c)
          continue
        }
        seen.set(key, patterns.length)
        patterns.push(p)
        sources.push([c])
      }
    }
  })
  const sampleMs = performance.now() - sampleStarted

  const scanStarted = performance.now()
  const found = new Map<string, Leak>()
  const index = createPrefixIndex(patterns)
  const bytes = await scanDump(await options.openDump(), index, (table, column, pattern) => {
    const where = `${table}\u0000${column}`
    let leak = found.get(where)
    if (!leak) {
      leak = { table, column, hits: 0, from: [] }
      found.set(where, leak)
    }
    leak.hits++
    for (const c of sources[pattern] ?? []) {
      const source = samples.columns[c]?.source ?? '?'
      if (!leak.from.includes(source)) leak.from.push(source)
    }
  })
  return {
    columns: samples.columns.length,
    values,
    skipped: samples.skipped,
    notText: samples.notText,
    bytes,
    sampleMs,
    scanMs: performance.now() - scanStarted,
    leaks: [...found.values()]
      .map((l) => ({ ...l, from: l.from.sort() }))
      .sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`)),
  }
}

/** One paragraph on what was checked: counts only. */
export function formatVerifySummary(report: VerifyReport): string {
  const { skipped } = report
  const notText = report.notText.length
    ? `; ${report.notText.length} transformed column${report.notText.length === 1 ? ' is' : 's are'} not text (numbers, dates) and not searched`
    : ''
  return (
    `Searched ${report.values.toLocaleString('en')} distinct originals from ${report.columns} transformed columns ` +
    `(skipped: ${skipped.short} under ${minValueLength} characters, ${skipped.common} too common, ${skipped.fake} that a fake could equal${notText}) ` +
    `in ${(report.bytes / 1e6).toFixed(1)} MB of dump text: sampling ${(report.sampleMs / 1000).toFixed(1)} s, scan ${(report.scanMs / 1000).toFixed(1)} s.`
  )
}

/** Throw `leak_found` naming every table and column with hits, and no value. */
export function assertNoLeaks(report: VerifyReport, dumpName: string): void {
  if (report.leaks.length === 0) return
  const hits = report.leaks.reduce((n, l) => n + l.hits, 0)
  const lines = report.leaks.map(
    (l) =>
      `  ${l.table === null ? '(SQL outside table data)' : `${l.table}.${l.column ?? '?'}`}: ${l.hits} hit${l.hits === 1 ? '' : 's'} of originals from ${l.from.join(', ')}`,
  )
  throw new AppError(
    'leak_found',
    `${dumpName} holds ${hits} original value${hits === 1 ? '' : 's'} that the rules should have replaced. Where they were found, and the transformed column they come from:\n${lines.join('\n')}\nGive each column named first a transformer instead of keep (or add the missing json path), then take a new snapshot.\n${formatVerifySummary(report)}`,
  )
}

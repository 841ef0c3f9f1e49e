import { createHash, randomBytes } from 'node:crypto'
import type { Catalog } from '../db/catalog.js'
import type { Rules } from '../rules/rules-schema.js'

/** Written last, next to the dump: a snapshot without it is incomplete. */
export interface Manifest {
  formatVersion: 1
  /** Sorts by time: `20261127T030000Z-3f9a`. */
  id: string
  createdAt: string
  tool: { name: 'dumpling'; version: string }
  source: {
    database: string
    serverVersion: string
    /** Restore refuses a target whose system identifier matches this one. */
    systemIdentifier: string | null
  }
  schemaFingerprint: string
  rulesHash: string
  tables: ManifestTable[]
  dump: {
    file: 'dump.sql.gz'
    compression: 'gzip'
    bytes: number
    sha256: string
    /**
     * What compressed the rows' gzip members (pg_dump's sections are zlib level 1).
     * Absent in manifests written before it was recorded: zlib level 1.
     */
    compressor?: { name: 'isa-l' | 'zlib'; level: number }
  }
  durationMs: number
  /** What was proven before publishing (issue 6); absent in snapshots taken without the pipeline. */
  verified?: Verification
}

/** The checks a snapshot passed before its manifest was written. */
export interface Verification {
  /** `passed`: restored into a scratch database, row counts matched. */
  restore: 'passed' | 'skipped' | 'off'
  /** `passed`: no sampled original value occurs in the dump. */
  leakScan: 'passed' | 'skipped' | 'off'
  /** Why a step was skipped, in words. */
  notes: string[]
}

export interface ManifestTable {
  name: string
  data: 'dump' | 'skip'
  rows: number
  /** Uncompressed COPY text bytes written for the table. */
  bytes: number
}

/** A snapshot id that sorts by creation time, with a random suffix against collisions. */
export function snapshotId(now: Date): string {
  return `${compactUtc(now)}-${randomBytes(2).toString('hex')}`
}

/** `20261127T030000Z`: UTC to the second, sortable, safe in keys and file names. */
export function compactUtc(time: Date): string {
  return time
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
}

/** Changes when any dumped table, column or type changes. */
export function schemaFingerprint(catalog: Catalog): string {
  const lines = catalog.tables.flatMap((t) =>
    t.columns.map(
      (c) =>
        `${t.qualified}\t${c.name}\t${c.type}\t${c.notNull ? 'not null' : ''}\t${c.generated ? 'generated' : ''}`,
    ),
  )
  return sha256(lines.sort().join('\n'))
}

/** Changes when any rule changes (key order does not matter). */
export function rulesHash(rules: Rules): string {
  return sha256(stableJson(rules))
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}

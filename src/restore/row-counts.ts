import { AppError } from '../errors.js'
import type { Manifest } from '../snapshot/manifest.js'

/**
 * Every table the manifest lists with data must hold exactly the rows the
 * snapshot wrote; `loaded` is what the server reported for each COPY.
 */
export function checkRowCounts(manifest: Manifest | null, loaded: Map<string, number>): void {
  if (!manifest) return
  const wrong = manifest.tables
    .filter((t) => t.data === 'dump' && (loaded.get(t.name) ?? 0) !== t.rows)
    .map((t) => `${t.name}: ${loaded.get(t.name) ?? 0} rows loaded, the manifest says ${t.rows}`)
  const listed = new Set(manifest.tables.map((t) => t.name))
  const extra = [...loaded.keys()]
    .filter((name) => !listed.has(name))
    .map((name) => `${name}: ${loaded.get(name)} rows loaded, not in the manifest`)
  const problems = [...wrong, ...extra]
  if (problems.length > 0) {
    throw new AppError(
      'snapshot_invalid',
      `The loaded rows do not match the manifest:\n  ${problems.join('\n  ')}`,
    )
  }
}

/** The rows each table with data holds when complete, by the manifest. */
export function expectedRows(manifest: Manifest): Map<string, number> {
  return new Map(manifest.tables.filter((t) => t.data === 'dump').map((t) => [t.name, t.rows]))
}

/** The uncompressed COPY bytes of each table with data, by the manifest (where it says). */
export function expectedBytes(manifest: Manifest): Map<string, number> {
  return new Map(
    manifest.tables
      .filter((t) => t.data === 'dump' && Number.isFinite(t.bytes))
      .map((t) => [t.name, t.bytes]),
  )
}

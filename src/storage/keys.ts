/**
 * The storage layout, as pure functions of a prefix. Both backends use it, so
 * an S3 bucket and a local folder hold the same tree:
 *   <prefix>snapshots/<id>/dump.sql.gz, <prefix>snapshots/<id>/manifest.json, <prefix>audit/<name>
 */

export const dumpFile = 'dump.sql.gz'
export const manifestFile = 'manifest.json'
export type SnapshotFile = typeof dumpFile | typeof manifestFile

/** `20261127T030000Z-3f9a`: sorts by time; nothing else is ever a snapshot id. */
const snapshotIdPattern = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-[0-9a-f]{4}$/

export function isSnapshotId(id: string): boolean {
  return snapshotIdPattern.test(id)
}

/** When the snapshot with this id was started (ids carry it, to the second). */
export function snapshotIdTime(id: string): Date {
  const m = snapshotIdPattern.exec(id)
  if (!m) throw new Error(`not a snapshot id: ${JSON.stringify(id)}`)
  const [, y, mo, d, h, mi, s] = m
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`)
}

/** `''`, or a prefix ending in one `/` with none in front: `dumpling/`. */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '')
  return trimmed === '' ? '' : `${trimmed}/`
}

/** `s3://bucket/prefix/`, for messages. */
export function s3Location(bucket: string, prefix: string): string {
  return `s3://${bucket}/${normalizePrefix(prefix)}`
}

export function snapshotsRoot(prefix: string): string {
  return `${normalizePrefix(prefix)}snapshots/`
}

export function snapshotKey(prefix: string, id: string, file: SnapshotFile): string {
  if (!isSnapshotId(id)) throw new Error(`not a snapshot id: ${JSON.stringify(id)}`)
  return `${snapshotsRoot(prefix)}${id}/${file}`
}

/** `<prefix>snapshots/<id>/<file>` → its id and file; anything else → null (never ours to touch). */
export function parseSnapshotKey(prefix: string, key: string): { id: string; file: string } | null {
  const root = snapshotsRoot(prefix)
  if (!key.startsWith(root)) return null
  const [id, file, ...rest] = key.slice(root.length).split('/')
  if (id === undefined || file === undefined || file === '' || rest.length > 0) return null
  return isSnapshotId(id) ? { id, file } : null
}

/** Audit object names: letters, digits, `.`, `_`, `-` and `/` between them; never `..`. */
const auditNamePattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/

export function isAuditName(name: string): boolean {
  return auditNamePattern.test(name) && !name.split('/').includes('..')
}

export function auditKey(prefix: string, name: string): string {
  if (!isAuditName(name)) throw new Error(`not an audit object name: ${JSON.stringify(name)}`)
  return `${normalizePrefix(prefix)}audit/${name}`
}

/** Job object names: `current.json` and the like; nothing that could leave jobs/. */
const jobNamePattern = /^[a-z0-9][a-z0-9-]*\.json$/

export function isJobName(name: string): boolean {
  return jobNamePattern.test(name)
}

export function jobKey(prefix: string, name: string): string {
  if (!isJobName(name)) throw new Error(`not a job object name: ${JSON.stringify(name)}`)
  return `${normalizePrefix(prefix)}jobs/${name}`
}

/** `<database>-<id>.sql.gz`, with anything unsafe in a header or a file name replaced by `_`. */
export function downloadFilename(database: string, id: string): string {
  return `${database.replace(/[^A-Za-z0-9._-]/g, '_')}-${id}.sql.gz`
}

/** The header that makes a browser save the dump under its own name. */
export function contentDisposition(database: string, id: string): string {
  return `attachment; filename="${downloadFilename(database, id)}"`
}

import type { Readable, Writable } from 'node:stream'
import type { Manifest } from '../snapshot/manifest.js'

/**
 * Where snapshots live: one small interface, an S3 and a local-folder backend.
 * Layout under the configured prefix:
 *   snapshots/<id>/dump.sql.gz, then snapshots/<id>/manifest.json (written last:
 *   a snapshot without its manifest is incomplete and invisible), and audit/….
 */
export interface SnapshotStorage {
  /** Where it is, for messages and logs: `s3://bucket/prefix` or a folder. Never a secret. */
  describe(): string
  /** Readiness: the bucket or folder is reachable and writable. Throws an AppError saying why. */
  check(): Promise<void>
  /** Start writing a new snapshot. Nothing is visible until `commit`. */
  beginSnapshot(id: string): Promise<SnapshotUpload>
  /** Complete snapshots (those with a manifest), newest first. */
  list(): Promise<Manifest[]>
  /** The newest complete snapshot, or null when there is none yet. */
  latest(): Promise<Manifest | null>
  /** A complete snapshot's manifest; an unknown or incomplete id is an AppError. */
  getManifest(id: string): Promise<Manifest>
  /** The bytes of a complete snapshot's dump.sql.gz, streamed. */
  openDump(id: string): Promise<Readable>
  /**
   * A link anyone holding it can download the dump with until `expiresAt`.
   * A bearer token: never log it, never put it in an error or audit record.
   */
  createLink(id: string, expiresInSeconds: number): Promise<{ url: string; expiresAt: Date }>
  /**
   * The same, for a snapshot whose manifest the caller has just read (`latest`,
   * `getManifest`): it is not read again. Also a bearer token.
   */
  createLinkTo(
    manifest: Manifest,
    expiresInSeconds: number,
  ): Promise<{ url: string; expiresAt: Date }>
  /** Delete snapshots beyond the retention policy; never the newest complete one. */
  applyRetention(policy: RetentionPolicy, now?: Date): Promise<{ deleted: string[] }>
  /** Store one JSON object under audit/ durably; resolves only once it is stored. */
  putAuditObject(key: string, body: string): Promise<void>
  /**
   * Replace the object `jobs/<name>` (e.g. `current.json`, the running job's progress),
   * so every replica reads the same job state. Never holds a secret.
   */
  putJobObject(name: string, body: string): Promise<void>
  /** The text of `jobs/<name>`, or null when there is none. */
  readJobObject(name: string): Promise<string | null>
}

export interface SnapshotUpload {
  /** Write dump.sql.gz here, streaming; end it to finish the dump. */
  readonly dump: Writable
  /**
   * Once the dump stream has ended: the stored bytes, read back while the snapshot is still
   * invisible, so they can be checked (leak scan, test restore) before `commit` publishes them.
   */
  readBack(): Promise<Readable>
  /** Wait for the dump to be stored, then write the manifest last: the snapshot becomes visible. */
  commit(manifest: Manifest): Promise<void>
  /** Remove whatever was written; the snapshot never becomes visible. */
  abort(): Promise<void>
}

export interface RetentionPolicy {
  /** Complete snapshots to keep, newest first. */
  keep: number
  /** Complete snapshots older than this are deleted (the newest one never is). */
  maxAgeDays: number
}

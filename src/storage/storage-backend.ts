import type { Readable } from 'node:stream'
import type { Manifest } from '../snapshot/manifest.js'
import type { SnapshotEntry } from './retention-plan.js'
import type { SnapshotUpload } from './storage.js'

/**
 * What a backend (S3, a local folder) must do; the catalogue (catalogue.ts)
 * builds the SnapshotStorage contract on top of it, so listing, `latest`,
 * checksums and retention behave the same everywhere. Ids and audit names are
 * validated before they reach a backend.
 */
export interface StorageBackend {
  describe(): string
  check(): Promise<void>
  /** Every snapshot folder under the prefix, complete or not, in any order. */
  listEntries(): Promise<SnapshotEntry[]>
  /** The manifest's text, or null when the snapshot has none (unknown or incomplete). */
  readManifest(id: string): Promise<string | null>
  /** The stored dump bytes, as they are. */
  openDump(id: string): Promise<Readable>
  beginSnapshot(id: string): Promise<SnapshotUpload>
  /** Remove one snapshot folder, manifest first so it turns invisible before it goes. */
  deleteSnapshot(id: string): Promise<void>
  /** A bearer link to the dump of this (complete) snapshot. */
  createLink(
    manifest: Manifest,
    expiresInSeconds: number,
  ): Promise<{ url: string; expiresAt: Date }>
  putAuditObject(name: string, body: string): Promise<void>
  putJobObject(name: string, body: string): Promise<void>
  readJobObject(name: string): Promise<string | null>
}

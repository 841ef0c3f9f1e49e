import type { Manifest } from '../snapshot/manifest.js'
import type { SnapshotStorage } from '../storage/storage.js'

/** The newest complete snapshot, as the commands see it. */
export interface LatestSnapshot {
  get(): Promise<Manifest | null>
  /** Forget the remembered one (a refresh just stored a new snapshot). */
  forget(): void
}

/**
 * Remembers the newest snapshot for a few seconds, and shares one lookup among
 * requests that arrive together: a burst of `/dump latest` costs one listing,
 * not one each. "None yet" is never remembered, so a first snapshot shows at once.
 * Retention never deletes the newest snapshot, so one a few seconds old still exists.
 */
export function createLatestSnapshot(storage: SnapshotStorage, ttlMs = 5000): LatestSnapshot {
  let cached: { at: number; manifest: Promise<Manifest | null> } | null = null
  return {
    get() {
      if (cached && Date.now() - cached.at < ttlMs) return cached.manifest
      const entry = { at: Date.now(), manifest: storage.latest() }
      cached = entry
      entry.manifest.then(
        (m) => {
          if (m === null && cached === entry) cached = null
        },
        () => {
          if (cached === entry) cached = null
        },
      )
      return entry.manifest
    },
    forget() {
      cached = null
    },
  }
}

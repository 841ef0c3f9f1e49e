import { snapshotIdTime } from './keys.js'
import type { RetentionPolicy } from './storage.js'

/** One snapshot folder as a backend lists it. */
export interface SnapshotEntry {
  id: string
  /** It has its manifest: visible to everyone. */
  complete: boolean
  /** The newest write to any of its objects (an upload in progress keeps this fresh). */
  lastModified: Date
}

/** Incomplete snapshots younger than this may still be uploading: leave them alone. */
export const incompleteGraceMs = 24 * 60 * 60 * 1000

const dayMs = 24 * 60 * 60 * 1000

/**
 * The ids to delete: complete snapshots beyond `keep` or older than `maxAgeDays`
 * (never the newest complete one), and incomplete leftovers older than a day.
 */
export function planRetention(
  entries: readonly SnapshotEntry[],
  policy: RetentionPolicy,
  now: Date,
): string[] {
  const complete = entries.filter((e) => e.complete).sort((a, b) => (a.id < b.id ? 1 : -1))
  const expired = complete.filter((e, index) => {
    if (index === 0) return false
    const ageMs = now.getTime() - snapshotIdTime(e.id).getTime()
    return index >= policy.keep || ageMs > policy.maxAgeDays * dayMs
  })
  const leftovers = entries.filter(
    (e) => !e.complete && now.getTime() - e.lastModified.getTime() > incompleteGraceMs,
  )
  return [...expired, ...leftovers].map((e) => e.id)
}

/**
 * Remembers trigger_ids for a while so a duplicate delivery of the same command is
 * answered once. Bounded: the oldest are forgotten first.
 */
export interface SeenTriggers {
  /** True the first time an id is seen (within `ttlMs`), false for a duplicate. */
  firstTime(triggerId: string, now: number): boolean
}

export function createSeenTriggers(ttlMs = 30 * 60_000, max = 50_000): SeenTriggers {
  const seen = new Map<string, number>()
  return {
    firstTime(triggerId, now) {
      const at = seen.get(triggerId)
      if (at !== undefined && now - at < ttlMs) return false
      seen.delete(triggerId)
      seen.set(triggerId, now)
      // Map keeps insertion order: the first entries are the oldest.
      for (const [id, t] of seen) {
        if (seen.size <= max && now - t < ttlMs) break
        seen.delete(id)
      }
      return true
    },
  }
}

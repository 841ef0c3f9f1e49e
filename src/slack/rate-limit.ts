/** A sliding one-hour window of links per user, in this process. */
export interface RateLimit {
  /** Whether `user` may get one more link now; if so, it is counted. */
  take(user: string, now: Date): { ok: true } | { ok: false; retryAt: Date }
}

const hourMs = 3_600_000

export function createRateLimit(perHour: number): RateLimit {
  const given = new Map<string, number[]>()
  return {
    take(user, now) {
      const t = now.getTime()
      const recent = (given.get(user) ?? []).filter((at) => at > t - hourMs)
      if (recent.length >= perHour) {
        given.set(user, recent)
        return { ok: false, retryAt: new Date((recent[0] ?? t) + hourMs) }
      }
      recent.push(t)
      given.set(user, recent)
      return { ok: true }
    },
  }
}

import type { AuditEvent } from './audit-event.js'
import { type AuditDeps, storeAuditEvents } from './record-audit.js'

/** Records one audit event durably, then logs it; rejects with `audit_failed` when it was not stored. */
export type AuditWriter = (event: AuditEvent) => Promise<void>

/** Events in one object at most: a burst is a few objects, each well under a megabyte. */
export const maxEventsPerObject = 500

/**
 * When no write is in flight, the first event waits this long (ms) for the others of its
 * burst. Under the serve bench's load the commands come in waves (each wave of replies
 * brings the next wave of commands): without it the first command's object went alone,
 * took 30-60 ms behind the rest of the wave the process was reading, and the wave waited
 * for it. 8 ms, measured against 15 ms and against gathering only after a quiet second
 * (README, "The Slack app under load"); a command alone waits 8 ms more.
 */
export const defaultGatherMs = 8

/** Events waiting that may go as a second write, beside one in flight (see below). */
const secondWriteMin = 8

/**
 * Group commit for audit events. Events that arrive while a write is in flight wait
 * for it and then go together, as one object `audit/<first event's id>.jsonl` (JSON
 * Lines, one event a line). Each caller still resolves only once the object holding
 * its own event is stored, and every caller of a failed write gets `audit_failed`:
 * durable first, no durable write → no link. A burst of 2,000 commands costs a few
 * dozen writes instead of 2,000.
 *
 * - When no write is in flight, the first event waits `gatherMs` for the others of its burst.
 * - A write's time is mostly the rest of the process's work, not its size: under load a
 *   write of a few events took as long as one of fifty, while the fifty waited for it.
 *   So when at least 8 events wait, twice as many as the one write in flight holds,
 *   they go at once as a second write (never more than two in flight).
 */
export function createAuditWriter(
  deps: AuditDeps,
  maxEvents = maxEventsPerObject,
  /** Told of each write (events, start and end in `performance.now()` ms): the serve bench's phases. */
  onWrite?: (events: number, startMs: number, endMs: number) => void,
  gatherMs = defaultGatherMs,
): AuditWriter {
  const waiting: Array<{ event: AuditEvent; done: (err?: unknown) => void }> = []
  /** The number of events of each write in flight. */
  const inFlight = new Set<{ events: number }>()
  let gatherTimer: NodeJS.Timeout | null = null

  const mayStart = () => {
    if (waiting.length === 0) return false
    if (inFlight.size === 0) return true
    if (inFlight.size > 1) return false
    const [only] = inFlight
    return waiting.length >= secondWriteMin && waiting.length >= 2 * (only?.events ?? 0)
  }
  const startWrites = () => {
    while (mayStart()) void write(waiting.splice(0, maxEvents))
  }
  // Never rejects, and always starts what may follow: a throw here would leave every
  // later event waiting forever.
  const write = async (batch: typeof waiting) => {
    const events = batch.map((w) => w.event)
    const entry = { events: events.length }
    inFlight.add(entry)
    const name = `${events[0]?.id}.jsonl`
    const startMs = onWrite ? performance.now() : 0
    const failure = await storeAuditEvents(deps, name, events).then(
      () => undefined,
      (err: unknown) => err ?? new Error('audit write failed'),
    )
    const endMs = onWrite ? performance.now() : 0
    inFlight.delete(entry)
    for (const w of batch) w.done(failure)
    try {
      onWrite?.(events.length, startMs, endMs)
    } catch {}
    startWrites()
  }

  return (event) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ event, done: (err) => (err === undefined ? resolve() : reject(err)) })
      if (gatherTimer) return
      if (inFlight.size === 0 && gatherMs > 0) {
        gatherTimer = setTimeout(() => {
          gatherTimer = null
          startWrites()
        }, gatherMs)
        return
      }
      startWrites()
    })
}

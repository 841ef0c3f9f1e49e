import type { AuditEvent } from './audit-event.js'
import { type AuditDeps, storeAuditEvents } from './record-audit.js'

/** Records one audit event durably, then logs it; rejects with `audit_failed` when it was not stored. */
export type AuditWriter = (event: AuditEvent) => Promise<void>

/** Events in one object at most: a burst is a few objects, each well under a megabyte. */
export const maxEventsPerObject = 500

/**
 * Group commit for audit events. The first event is written at once; events that
 * arrive while a write is in flight wait for it and then go together, as one object
 * `audit/<first event's id>.jsonl` (JSON Lines, one event a line). Each caller still
 * resolves only once the object holding its own event is stored, and every caller of
 * a failed write gets `audit_failed`: durable first, no durable write → no link.
 * A burst of 2,000 commands costs a few dozen writes instead of 2,000.
 */
export function createAuditWriter(
  deps: AuditDeps,
  maxEvents = maxEventsPerObject,
  /** Told of each write (events, start and end in `performance.now()` ms): the serve bench's phases. */
  onWrite?: (events: number, startMs: number, endMs: number) => void,
): AuditWriter {
  const waiting: Array<{ event: AuditEvent; done: (err?: unknown) => void }> = []
  let writing = false

  const writeWhileWaiting = async () => {
    writing = true
    while (waiting.length > 0) {
      const batch = waiting.splice(0, maxEvents)
      const events = batch.map((w) => w.event)
      const name = `${events[0]?.id}.jsonl`
      const startMs = onWrite ? performance.now() : 0
      const failure = await storeAuditEvents(deps, name, events).then(
        () => undefined,
        (err: unknown) => err ?? new Error('audit write failed'),
      )
      const endMs = onWrite ? performance.now() : 0
      for (const w of batch) w.done(failure)
      // After the callers are told, and never able to stop the loop: a throw here
      // would leave `writing` set and every later event waiting forever.
      try {
        onWrite?.(events.length, startMs, endMs)
      } catch {}
    }
    writing = false
  }

  return (event) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ event, done: (err) => (err === undefined ? resolve() : reject(err)) })
      if (!writing) void writeWhileWaiting()
    })
}

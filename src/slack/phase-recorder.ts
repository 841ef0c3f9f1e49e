import { writeFile } from 'node:fs/promises'

/** A command's steps in `dumpling serve`, in order (the serve bench decomposes its latency by them). */
export const phases = [
  'received',
  'acked',
  'listener',
  'auditQueued',
  'auditDurable',
  'replySent',
  'replyAnswered',
] as const
export type Phase = (typeof phases)[number]

/**
 * Bench-only timing of each command's steps and of each audit write, switched on by
 * `DUMPLING_BENCH_PHASES` (README, "The Slack app under load"). It keeps numbers only:
 * times in milliseconds and event counts. The trigger id that ties a command's marks
 * together stays in memory and is never written; no user, text, link or token is kept.
 */
export interface PhaseRecorder {
  /** The command with this trigger_id reached `phase` (at `at`, default now; `performance.now()` ms). */
  mark(trigger: string, phase: Phase, at?: number): void
  /** One audit write of `events` events, from `startMs` to `endMs` (`performance.now()` ms). */
  write(events: number, startMs: number, endMs: number): void
  /** Write what was recorded to `path` as JSON. */
  save(path: string): Promise<void>
}

/** What `save` writes: absolute times (ms since the epoch, `performance.timeOrigin` based). */
export interface PhaseRecord {
  phases: readonly Phase[]
  /** One array per command: each phase's time in the order of `phases`, null when not reached. */
  commands: Array<Array<number | null>>
  /** One `[events, startMs, endMs]` per audit write, in order. */
  writes: Array<[number, number, number]>
}

/** Memory stays bounded however long serve runs with the recorder on. */
const maxRecords = 200_000

export function createPhaseRecorder(): PhaseRecorder {
  const origin = performance.timeOrigin
  const byTrigger = new Map<string, Array<number | null>>()
  const writes: PhaseRecord['writes'] = []
  return {
    mark(trigger, phase, at = performance.now()) {
      let times = byTrigger.get(trigger)
      if (!times) {
        if (byTrigger.size >= maxRecords) return
        times = phases.map(() => null)
        byTrigger.set(trigger, times)
      }
      times[phases.indexOf(phase)] = origin + at
    },
    write(events, startMs, endMs) {
      if (writes.length < maxRecords) writes.push([events, origin + startMs, origin + endMs])
    },
    save(path) {
      const record: PhaseRecord = { phases, commands: [...byTrigger.values()], writes }
      return writeFile(path, JSON.stringify(record))
    },
  }
}

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
  /** Commands (and, separately, writes) kept at most. */
  cap: number
  /** When the first command over the cap came (ms since the epoch), null if none did; and how many were dropped. */
  commandsCapped: { at: number; dropped: number } | null
  /** The same for audit writes. */
  writesCapped: { at: number; dropped: number } | null
}

/**
 * Memory stays bounded however long serve runs with the recorder on: a command's
 * marks cost about 400 bytes with its Map entry, so 20,000 (the bench sends 2,300)
 * keep it near 8 MB. What comes after is counted, not kept.
 */
export const defaultPhaseCap = 20_000

export function createPhaseRecorder(cap = defaultPhaseCap): PhaseRecorder {
  const origin = performance.timeOrigin
  const byTrigger = new Map<string, Array<number | null>>()
  const writes: PhaseRecord['writes'] = []
  let commandsCapped: PhaseRecord['commandsCapped'] = null
  let writesCapped: PhaseRecord['writesCapped'] = null
  const dropped = (capped: PhaseRecord['commandsCapped']) =>
    capped
      ? { at: capped.at, dropped: capped.dropped + 1 }
      : { at: origin + performance.now(), dropped: 1 }
  return {
    mark(trigger, phase, at = performance.now()) {
      let times = byTrigger.get(trigger)
      if (!times) {
        if (byTrigger.size >= cap) {
          if (phase === phases[0]) commandsCapped = dropped(commandsCapped)
          return
        }
        times = phases.map(() => null)
        byTrigger.set(trigger, times)
      }
      times[phases.indexOf(phase)] = origin + at
    },
    write(events, startMs, endMs) {
      if (writes.length < cap) writes.push([events, origin + startMs, origin + endMs])
      else writesCapped = dropped(writesCapped)
    },
    save(path) {
      const record: PhaseRecord = {
        phases,
        commands: [...byTrigger.values()],
        writes,
        cap,
        commandsCapped,
        writesCapped,
      }
      return writeFile(path, JSON.stringify(record))
    },
  }
}

import { parentGone } from './respawn.js'

/** Why serve stops: a signal, or the CLI that respawned it is gone (respawn.ts). */
export type StopReason = NodeJS.Signals | 'parent gone'

/** The signals that stop serve gracefully. */
const stopSignals = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const

/** A second signal within this long of the first request is the same request (see below). */
const sameRequestMs = 1000

/**
 * The first request to stop: SIGTERM, SIGINT, SIGHUP, or, in a serve the CLI respawned,
 * that CLI's process gone. A signal within a second of it is the same request come two
 * ways and is ignored: systemd signals every process of the unit, and `pkill -f` matches
 * both the CLI and the serve it respawned, which passes the signal on too. A later one
 * ends the process at once, as a second Ctrl-C would. `dispose()` removes the listeners.
 */
export function stopRequests(): { first: Promise<StopReason>; dispose(): void } {
  let firstAt: number | null = null
  let resolveFirst: (reason: StopReason) => void = () => {}
  const first = new Promise<StopReason>((resolve) => {
    resolveFirst = resolve
  })
  const request = (reason: StopReason) => {
    if (firstAt !== null) return false
    firstAt = performance.now()
    resolveFirst(reason)
    return true
  }
  const onSignal = (signal: NodeJS.Signals) => {
    if (request(signal) || performance.now() - (firstAt ?? 0) < sameRequestMs) return
    dispose()
    process.kill(process.pid, signal)
  }
  const dispose = () => {
    for (const s of stopSignals) process.off(s, onSignal)
  }
  for (const s of stopSignals) process.on(s, onSignal)
  parentGone(() => request('parent gone'))
  return { first, dispose }
}

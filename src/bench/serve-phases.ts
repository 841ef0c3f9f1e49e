import type { PhaseRecord } from '../slack/phase-recorder.js'

/**
 * The serve bench's decomposition of a command's time, from what `dumpling serve`
 * recorded with `DUMPLING_BENCH_PHASES` (numbers only): p50, p99 and max of each step,
 * the audit writes (duration, events each, gaps between them), and what a command waited
 * for its durable audit write. `fromMs` keeps only the commands received from then on
 * (the timed window, without a warm-up).
 */
export function formatPhases(record: PhaseRecord, fromMs: number): string {
  const commands = record.commands.filter((c) => (c[0] ?? -1) >= fromMs)
  const steps = record.phases.slice(1).map((phase, k) => {
    const name = `${record.phases[k]} → ${phase}`
    return row(name, spans(commands, k, k + 1))
  })
  const last = record.phases.length - 1
  // Recorded as each ends; up to two may be in flight at once (audit-writer.ts): by start.
  const writes = record.writes.filter(([, start]) => start >= fromMs).sort((a, b) => a[1] - b[1])
  const durations = writes.map(([, start, end]) => end - start)
  // The time no write was in flight before each one started (0 when another was).
  const gaps: number[] = []
  let overlapped = 0
  let lastEnd = Number.NaN
  for (const [, start, end] of writes) {
    if (!Number.isNaN(lastEnd)) {
      gaps.push(Math.max(0, start - lastEnd))
      if (start < lastEnd) overlapped++
    }
    lastEnd = Number.isNaN(lastEnd) ? end : Math.max(lastEnd, end)
  }
  const sizes = writes.map(([events]) => events)
  const queued = record.phases.indexOf('auditQueued')
  const durable = record.phases.indexOf('auditDurable')
  // The write a command's event went in: the first that started at or after it was queued
  // (the wait is the gathering, or the write in flight, or both).
  const inFlightWait: number[] = []
  for (const c of commands) {
    const q = c[queued]
    if (q === null || q === undefined) continue
    const own = writes.find(([, start]) => start >= q)
    if (own) inFlightWait.push(own[1] - q)
  }
  return `
Serve's own steps (DUMPLING_BENCH_PHASES; ${commands.length} commands, ms):

| step | p50 | p99 | max |
|---|---|---|---|
${steps.join('\n')}
${row('received → replyAnswered (all in serve)', spans(commands, 0, last))}
${row('auditQueued: until its write starts', inFlightWait)}
${row('audit write (PUT), each', durations)}
${row('no write in flight before a write', gaps)}
${row('events per audit write', sizes, 0)}
${writes.length} audit writes in the window, ${overlapped} of them beside another${queued >= 0 && durable >= 0 ? '' : ' (phases missing)'}${capNote(record)}
`
}

/** The recorder keeps at most `cap` commands and writes: say so when it dropped some. */
function capNote(record: PhaseRecord): string {
  const parts = [
    record.commandsCapped && `${record.commandsCapped.dropped} commands`,
    record.writesCapped && `${record.writesCapped.dropped} audit writes`,
  ].filter(Boolean)
  return parts.length > 0
    ? `\nThe recorder's cap (${record.cap}) was reached: ${parts.join(' and ')} not kept`
    : ''
}

function spans(commands: Array<Array<number | null>>, from: number, to: number): number[] {
  const out: number[] = []
  for (const c of commands) {
    const a = c[from]
    const b = c[to]
    if (typeof a === 'number' && typeof b === 'number') out.push(b - a)
  }
  return out
}

function row(name: string, values: number[], digits = 1): string {
  const xs = [...values].sort((a, b) => a - b)
  const pct = (p: number) =>
    xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)] ?? Number.NaN
  const f = (x: number) => x.toFixed(digits)
  return `| ${name} | ${f(pct(50))} | ${f(pct(99))} | ${f(xs.at(-1) ?? Number.NaN)} |`
}

import { availableParallelism } from 'node:os'
import type { BenchOptions } from './bench-args.js'
import type { ProfileSummary } from './cpu-profile.js'
import type { BenchData } from './load-bench-data.js'
import type { MemoryPeaks } from './memory-sampler.js'
import { median } from './stats.js'
import type { DumpRun } from './timed-dumps.js'
import type { ReferenceCost, TransformerCost } from './transformer-cost.js'

/** The targets. */
export const targets = { ratio: 1.5, microsPerValue: 2, peakRssMb: 200 } as const

export interface BenchReport {
  options: BenchOptions
  serverVersion: string
  data: BenchData
  pgDump: DumpRun[]
  dumpling: DumpRun[]
  transformers: TransformerCost[]
  /** What the transformers are made of, measured alike: the digest, the memo. */
  references: ReferenceCost[]
  /** One-minute load average before and after the timed rounds: other work skews every figure. */
  load: [number, number]
  /** How peak RSS was measured. */
  rssProbe: string
  /** Peak RSS of dumpling at scale S and 2S (--memory-check). */
  memory?: { scale: number; tableBytes: number; rssBytes: number | null }[]
  profile?: ProfileSummary
  /** Peaks of process.memoryUsage() in the profiled run. */
  memoryPeaks?: MemoryPeaks | null
}

const mb = (bytes: number) => bytes / 1e6
const fixed = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a')
const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED')

/** Median of the per-round ratios dumpling / pg_dump (rounds alternate, so pairs share conditions). */
export function medianRatio(report: Pick<BenchReport, 'pgDump' | 'dumpling'>): number {
  const pairs = Math.min(report.pgDump.length, report.dumpling.length)
  const ratios: number[] = []
  for (let i = 0; i < pairs; i++) {
    ratios.push((report.dumpling[i]?.ms ?? 0) / (report.pgDump[i]?.ms ?? 1))
  }
  return median(ratios)
}

/** Peak RSS of dumpling over the timed rounds, in bytes (null when it could not be read). */
export function peakRss(runs: readonly DumpRun[]): number | null {
  const values = runs.flatMap((r) => (r.usage ? [r.usage.maxRssBytes] : []))
  return values.length ? Math.max(...values) : null
}

export function formatReport(report: BenchReport): string {
  const { options, data } = report
  const lines: string[] = []
  const rows = Object.values(data.rows).reduce((a, b) => a + b, 0)
  lines.push(
    '',
    `Dumpling bench — scale ${options.scale}: ${rows.toLocaleString('en')} rows in ${Object.keys(data.rows).length} tables (${data.relations} with rows, partitions counted), ${fixed(mb(data.tableBytes), 1)} MB of table data`,
    `PostgreSQL ${report.serverVersion}, Node ${process.version}, ${options.rounds} alternating rounds, peak RSS by ${report.rssProbe}`,
    `Load average ${fixed(report.load[0])} before the rounds, ${fixed(report.load[1])} after, on ${availableParallelism()} CPUs${
      Math.max(...report.load) > availableParallelism() / 2
        ? ': other processes compete for the CPUs, so every figure is inflated'
        : ''
    }`,
    '',
  )

  const commandRow = (label: string, runs: DumpRun[]) => {
    const seconds = median(runs.map((r) => r.ms)) / 1000
    const cpu = runs.flatMap((r) => (r.usage ? [r.usage.cpuSeconds] : []))
    const rss = peakRss(runs)
    return [
      label,
      `${fixed(seconds)} s`,
      fixed(mb(data.tableBytes) / seconds, 1),
      runs.map((r) => fixed(r.ms / 1000)).join(' '),
      cpu.length ? fixed(median(cpu), 1) : 'n/a',
      rss === null ? 'n/a' : `${fixed(mb(rss), 0)} MB`,
      `${fixed(mb(median(runs.map((r) => r.dumpBytes))), 1)} MB`,
    ]
  }
  lines.push(
    ...table([
      ['command', 'median', 'MB/s', 'rounds (s)', 'CPU s', 'peak RSS', 'dump'],
      commandRow('pg_dump -Fp | gzip -1', report.pgDump),
      commandRow(`dumpling snapshot --jobs ${options.jobs}`, report.dumpling),
    ]),
    '',
  )

  lines.push(
    `Transformers: median µs per value of ${options.batches} batches × ${options.values.toLocaleString('en')} distinct values`,
  )
  const costRows = report.transformers.map((t) => {
    if (t.micros === null) return [t.name, 'n/a', '', t.error ?? '']
    if (t.sample?.composite) return [t.name, fixed(t.micros), '', `per ${t.sample.unit ?? 'value'}`]
    return [t.name, fixed(t.micros), verdict(t.micros <= targets.microsPerValue), '']
  })
  const referenceRows = report.references.map((r) => [r.name, fixed(r.micros), '', 'reference'])
  lines.push(
    ...table([
      ['transformer', 'µs', `≤ ${targets.microsPerValue}`, ''],
      ...costRows,
      ...referenceRows,
    ]),
    '',
  )

  const ratio = medianRatio(report)
  const rss = peakRss(report.dumpling)
  const scalar = report.transformers.filter((t) => t.micros !== null && !t.sample?.composite)
  const slow = scalar.filter((t) => (t.micros ?? 0) > targets.microsPerValue)
  const slowest = scalar.reduce<TransformerCost | null>(
    (a, t) => (a === null || (t.micros ?? 0) > (a.micros ?? 0) ? t : a),
    null,
  )
  lines.push('Targets')
  lines.push(
    ...table([
      [
        'time ratio dumpling / pg_dump',
        `${fixed(ratio)} (median of ${Math.min(report.pgDump.length, report.dumpling.length)})`,
        `≤ ${targets.ratio}`,
        verdict(ratio <= targets.ratio),
      ],
      [
        'transformer µs per value (all but json, array)',
        slowest ? `max ${fixed(slowest.micros ?? Number.NaN)} (${slowest.name})` : 'n/a',
        `≤ ${targets.microsPerValue}`,
        slow.length ? `MISSED: ${slow.map((t) => t.name).join(', ')}` : 'ok',
      ],
      [
        'peak RSS of dumpling',
        rss === null ? 'n/a' : `${fixed(mb(rss), 0)} MB`,
        `≤ ${targets.peakRssMb} MB`,
        rss === null ? 'n/a' : verdict(mb(rss) <= targets.peakRssMb),
      ],
    ]).map((l) => `  ${l}`),
  )

  if (report.memory) {
    lines.push('', 'Memory check (peak RSS of one dumpling run per size)')
    const base = report.memory[0]?.rssBytes ?? null
    lines.push(
      ...table([
        ['scale', 'table data', 'peak RSS', 'change'],
        ...report.memory.map((m) => [
          String(m.scale),
          `${fixed(mb(m.tableBytes), 1)} MB`,
          m.rssBytes === null ? 'n/a' : `${fixed(mb(m.rssBytes), 0)} MB`,
          base && m.rssBytes
            ? `${m.rssBytes >= base ? '+' : ''}${fixed((m.rssBytes / base - 1) * 100, 0)}%`
            : '',
        ]),
      ]).map((l) => `  ${l}`),
    )
  }

  if (report.profile) {
    const p = report.profile
    const threads = p.threads
      .map(
        (t) =>
          `${t.name} ${fixed(t.ms / 1000, 1)} s (${fixed(t.ms ? (t.idleMs / t.ms) * 100 : 0, 0)}% idle)`,
      )
      .join(', ')
    lines.push(
      '',
      `Hot spots of dumpling: self time over ${p.threads.length} thread${p.threads.length === 1 ? '' : 's'}, ${fixed(p.totalMs / 1000, 1)} s sampled`,
      `  threads: ${threads}`,
    )
    lines.push(
      ...table(
        p.functions.map((h) => [`${fixed(h.share * 100, 1)}%`, `${fixed(h.ms, 0)} ms`, h.name]),
      ).map((l) => `  ${l}`),
    )
    const m = report.memoryPeaks
    if (m) {
      lines.push(
        `  memory peaks: rss ${fixed(mb(m.rss), 0)} MB, main-thread heap used ${fixed(mb(m.heapUsed), 0)} of ${fixed(mb(m.heapTotal), 0)} MB, external ${fixed(mb(m.external), 0)} MB (array buffers ${fixed(mb(m.arrayBuffers), 0)} MB)`,
      )
    }
    lines.push('  by file:')
    lines.push(
      ...table(p.files.map((h) => [`${fixed(h.share * 100, 1)}%`, h.name])).map((l) => `    ${l}`),
    )
  }
  return `${lines.join('\n')}\n`
}

/** Left-aligned columns, two spaces apart; numbers right-aligned. */
function table(rows: string[][]): string[] {
  const widths: number[] = []
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length)
    })
  }
  const numeric = /^[\d.,]+( s| MB| ms|%)?$/
  return rows.map((row) =>
    row
      .map((cell, i) =>
        numeric.test(cell) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd(),
  )
}

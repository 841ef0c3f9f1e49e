import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { median } from './stats.js'
import type { DumplingCommand, DumpRun, DumpTools } from './timed-dumps.js'

/** Issue 3: verify takes at most half the snapshot's time. */
export const verifyTarget = 0.5

/**
 * Time `dumpling verify DIR` on one snapshot of the bench data, `rounds`
 * times, against the median of the timed snapshots. Returns the report line;
 * the verify summary (values searched, skipped, sampling and scan times) is
 * in the child's stdout, so the line repeats the figures that matter.
 */
export async function benchVerify(
  tools: DumpTools,
  command: DumplingCommand,
  snapshots: readonly DumpRun[],
  rounds: number,
  log: (line: string) => void,
): Promise<string> {
  const dir = join(tools.tempDir, 'dumpling-verify')
  const cli = [command.cli]
  try {
    log('Verify: one more snapshot to scan…')
    await tools.runner.run(
      process.execPath,
      [
        ...cli,
        'snapshot',
        '--config',
        command.config,
        '--output',
        dir,
        '--jobs',
        String(command.jobs),
      ],
      command.env,
    )
    const times: number[] = []
    for (let round = 1; round <= rounds; round++) {
      const { ms } = await tools.runner.run(
        process.execPath,
        [...cli, 'verify', dir, '--config', command.config],
        command.env,
      )
      times.push(ms)
      log(`Verify round ${round}/${rounds}: ${(ms / 1000).toFixed(2)} s`)
    }
    const verifyMs = median(times)
    const snapshotMs = median(snapshots.map((s) => s.ms))
    const ratio = verifyMs / snapshotMs
    return `dumpling verify: median ${(verifyMs / 1000).toFixed(2)} s (rounds ${times.map((t) => (t / 1000).toFixed(2)).join(', ')}) vs snapshot median ${(snapshotMs / 1000).toFixed(2)} s: ratio ${ratio.toFixed(2)} (target ≤ ${verifyTarget}: ${ratio <= verifyTarget ? 'ok' : 'MISSED'})`
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

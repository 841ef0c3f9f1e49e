import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Manifest } from '../snapshot/manifest.js'
import { median } from './stats.js'
import type { DumplingCommand, DumpRun, DumpTools } from './timed-dumps.js'

/**
 * Time one `dumpling snapshot` into local storage through the publish pipeline
 * (job lock, snapshot, leak scan, test restore into a scratch database on the
 * bench server, manifest, retention) against the median plain snapshot
 * (`--output`). The manifest's durationMs covers the snapshot and the leak scan;
 * the rest of the wall time is the test restore and publishing.
 */
export async function benchPipeline(
  tools: DumpTools,
  command: DumplingCommand,
  snapshots: readonly DumpRun[],
  adminUrl: string,
  log: (line: string) => void,
): Promise<string> {
  const dir = join(tools.tempDir, 'pipeline-store')
  const config = join(tools.tempDir, 'pipeline.yml')
  const base = await readFile(command.config, 'utf8')
  await writeFile(
    config,
    `${base}storage:\n  kind: local\n  dir: ${JSON.stringify(dir)}\nverify:\n  restore: required\n  restoreUrl: \${DUMPLING_RESTORE_URL}\n  leakScan: on\n`,
  )
  try {
    log('Publish pipeline: one snapshot into storage with leak scan and test restore…')
    const { ms } = await tools.runner.run(
      process.execPath,
      [command.cli, 'snapshot', '--config', config, '--jobs', String(command.jobs)],
      { ...command.env, DUMPLING_RESTORE_URL: adminUrl },
    )
    const [id] = await readdir(join(dir, 'snapshots'))
    const manifest = JSON.parse(
      await readFile(join(dir, 'snapshots', id ?? '', 'manifest.json'), 'utf8'),
    ) as Manifest
    const snapshotMs = median(snapshots.map((s) => s.ms))
    const restoreMs = ms - manifest.durationMs
    return (
      `publish pipeline: ${(ms / 1000).toFixed(2)} s in all (snapshot + leak scan ${(manifest.durationMs / 1000).toFixed(2)} s, ` +
      `test restore + publish ${(restoreMs / 1000).toFixed(2)} s; verified: restore ${manifest.verified?.restore}, leak scan ${manifest.verified?.leakScan}) ` +
      `vs plain snapshot median ${(snapshotMs / 1000).toFixed(2)} s: ratio ${(ms / snapshotMs).toFixed(2)}`
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
    await rm(config, { force: true })
  }
}

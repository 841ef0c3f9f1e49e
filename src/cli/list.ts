import { loadConfig } from '../config/load-config.js'
import type { Manifest } from '../snapshot/manifest.js'
import { createStorage } from '../storage/create-storage.js'
import type { Cli } from './cli.js'

export const listHelp = `Usage: dumpling list [--config FILE]

List the complete snapshots in the configured storage, newest first: id, age,
compressed size, tables and rows. Incomplete uploads are never listed.`

/** `dumpling list`: the catalogue, newest first. */
export async function list(cli: Cli, args: { config?: string | undefined }): Promise<number> {
  const config = loadConfig({ path: args.config, env: cli.env })
  const storage = createStorage(config)
  const manifests = await storage.list()
  if (manifests.length === 0) {
    cli.stderr.write(
      `No snapshots yet in ${storage.describe()}. Take one with: dumpling snapshot\n`,
    )
    return 0
  }
  cli.stdout.write(formatList(manifests, new Date()))
  return 0
}

/** A plain table, one snapshot a line, columns padded to fit. */
export function formatList(manifests: Manifest[], now: Date): string {
  const rows = [
    ['ID', 'AGE', 'SIZE', 'TABLES', 'ROWS'],
    ...manifests.map((m) => [
      m.id,
      age(now.getTime() - Date.parse(m.createdAt)),
      `${(m.dump.bytes / 1e6).toFixed(1)} MB`,
      String(m.tables.length),
      m.tables.reduce((n, t) => n + t.rows, 0).toLocaleString('en'),
    ]),
  ]
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => r[i]?.length ?? 0))) ?? []
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
        .join('  '),
    )
    .map((line) => `${line.trimEnd()}\n`)
    .join('')
}

function age(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000))
  if (minutes < 60) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours}h`
  return `${Math.floor(hours / 24)}d`
}

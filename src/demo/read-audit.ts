import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AuditEvent } from '../audit/audit-event.js'

/** An audit event and the object under `audit/` that holds it. */
export interface StoredAuditEvent {
  object: string
  event: AuditEvent
}

/**
 * The audit records under `<storage dir>/audit/` that `command` wrote, oldest
 * first: `dumpling link`'s `<id>.json` objects and `dumpling serve`'s group
 * commits, `<first id>.jsonl` with one event a line.
 */
export async function readAudit(storageDir: string, command: string): Promise<StoredAuditEvent[]> {
  const dir = join(storageDir, 'audit')
  const names = (await readdir(dir)).filter((n) => /\.jsonl?$/.test(n)).sort()
  const stored = await Promise.all(
    names.map(async (name) =>
      (await readFile(join(dir, name), 'utf8'))
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => ({ object: `audit/${name}`, event: JSON.parse(line) as AuditEvent })),
    ),
  )
  return stored.flat().filter((s) => s.event.command === command)
}

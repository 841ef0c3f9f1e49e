import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AuditEvent } from '../audit/audit-event.js'

/** The audit records under `<storage dir>/audit/` that `command` wrote, oldest first. */
export async function readAudit(storageDir: string, command: string): Promise<AuditEvent[]> {
  const dir = join(storageDir, 'audit')
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()
  const events = await Promise.all(
    names.map(async (n) => JSON.parse(await readFile(join(dir, n), 'utf8')) as AuditEvent),
  )
  return events.filter((e) => e.command === command)
}

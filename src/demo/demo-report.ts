import { demoSlack, type LinkReply } from './ask-for-link.js'
import type { ComparedValue } from './compare-rows.js'
import type { DemoOutput } from './demo-output.js'
import type { StoredAuditEvent } from './read-audit.js'
import { describeSpec, type TransformedColumn } from './rule-summary.js'

/** The columns init transformed, one a line: `public.users.email  → email`. */
export function printRules(out: DemoOutput, columns: TransformedColumn[], kept: number): void {
  const names = columns.map((c) => `${c.table}.${c.column}`)
  const width = Math.max(...names.map((n) => n.length))
  out.say(`The rules init wrote transform ${columns.length} columns and keep ${kept}:`)
  columns.forEach((c, i) => {
    out.say(`  ${(names[i] ?? '').padEnd(width)}  → ${describeSpec(c.spec)}`)
  })
}

/** The signed request, Slack's ack, and the ephemeral reply with its link. */
export function printReply(out: DemoOutput, reply: LinkReply): void {
  out.say(`dumpling serve listens on ${reply.base}; a local stand-in plays Slack's Web API.`)
  out.say(
    `POST /slack/events: /dump latest from ${demoSlack.user} in ${demoSlack.channel}, signed.`,
  )
  out.say(`HTTP ${reply.ackStatus} in ${Math.round(reply.ackMs)} ms (Slack wants it within 3 s).`)
  out.say(`The reply (${reply.responseType}: only the requester sees it):`)
  for (const line of reply.lines) out.say(`  │ ${line}`)
  const minutes = Math.round((reply.expiresAt.getTime() - Date.now()) / 60_000)
  const at = reply.expiresAt.toISOString().slice(11, 19)
  out.say(`The link expires in ${minutes} minutes, at ${at} UTC. In real use it is a bearer`)
  out.say('token, never logged or posted anywhere else; this one is a throwaway on localhost.')
}

/** Production next to restored, grouped by row: `  email  ada@… → fake@…`. */
export function printComparison(out: DemoOutput, values: ComparedValue[]): void {
  const groups = new Map<string, ComparedValue[]>()
  for (const v of values) {
    const key = `${v.table} (id ${v.rowId})`
    groups.set(key, [...(groups.get(key) ?? []), v])
  }
  const labelWidth = Math.max(...values.map((v) => v.column.length))
  const valueWidth = Math.min(36, Math.max(...values.map((v) => v.production.length)))
  out.say(`${''.padEnd(labelWidth + 4)}${'production'.padEnd(valueWidth)}     restored`)
  for (const [key, group] of groups) {
    out.say(key)
    for (const v of group) {
      out.say(
        `  ${v.column.padEnd(labelWidth)}  ${v.production.padEnd(valueWidth)}  →  ${v.restored}`,
      )
    }
  }
}

/** Rows per table in both databases. */
export function printCounts(
  out: DemoOutput,
  counts: Array<{ table: string; production: number; restored: number }>,
): void {
  const width = Math.max(...counts.map((c) => c.table.length))
  out.say('Rows per table, production → restored:')
  for (const c of counts) {
    out.say(
      `  ${c.table.padEnd(width)}  ${c.production.toLocaleString('en').padStart(6)} → ${c.restored.toLocaleString('en')}`,
    )
  }
}

/** The audit record, one field a line. */
export function printAudit(out: DemoOutput, { object, event }: StoredAuditEvent): void {
  out.say(`The audit record /dump latest stored before the link was made (in ${object}):`)
  const width = Math.max(...Object.keys(event).map((k) => k.length))
  for (const [key, value] of Object.entries(event)) {
    out.say(`  ${key.padEnd(width)}  ${typeof value === 'string' ? value : JSON.stringify(value)}`)
  }
  out.say('It says who asked, for which snapshot, and until when the link works; never the link.')
}

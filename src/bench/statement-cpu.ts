import { open, stat } from 'node:fs/promises'

/**
 * Server CPU per statement, from a PostgreSQL log written with
 * `log_statement_stats = on`: each statement's "QUERY STATISTICS" entry
 * gives its user and system CPU, and its STATEMENT line says which it was.
 */
export interface StatementCpu {
  pid: string
  cpuSeconds: number
  sql: string
}

const entry =
  /\[(\d+)\] LOG: {2}QUERY STATISTICS\n[^\n]*\n\t!\t([\d.]+) s user, ([\d.]+) s system[\s\S]*?\[\1\] STATEMENT: {2}([^\n]*(?:\n\t[^\n]*)*)/g

/** The statements logged in `logFile` from byte `from` on. */
export async function readStatementCpu(logFile: string, from: number): Promise<StatementCpu[]> {
  const size = (await stat(logFile)).size
  const file = await open(logFile, 'r')
  try {
    const buffer = Buffer.alloc(Math.max(0, size - from))
    await file.read(buffer, 0, buffer.length, from)
    return [...buffer.toString('utf8').matchAll(entry)].map((m) => ({
      pid: m[1] as string,
      cpuSeconds: Number(m[2]) + Number(m[3]),
      // A statement's later lines follow, each after a tab.
      sql: (m[4] as string).replace(/\s+/g, ' ').trim(),
    }))
  } finally {
    await file.close()
  }
}

/**
 * One line: CPU-seconds of COPY, index builds, ANALYZE (each table's, largest
 * first) and the rest, e.g. `COPY 4.8, indexes 0.5, ANALYZE 2.6 (customers
 * 0.7, orders_2021 0.3, …), other 0.2`.
 */
export function summarizeStatementCpu(statements: StatementCpu[]): string {
  let copy = 0
  let indexes = 0
  let other = 0
  const analyze = new Map<string, number>()
  for (const s of statements) {
    const analyzed = /^ANALYZE\s+(?:\([^)]*\)\s*)?(\S+)/i.exec(s.sql)
    if (/^COPY\s/i.test(s.sql)) copy += s.cpuSeconds
    else if (analyzed) {
      const table = (analyzed[1] as string).replace(/"/g, '').replace(/^public\./, '')
      analyze.set(table, (analyze.get(table) ?? 0) + s.cpuSeconds)
    } else if (/\b(PRIMARY KEY|UNIQUE|CREATE (UNIQUE )?INDEX)\b/i.test(s.sql))
      indexes += s.cpuSeconds
    else other += s.cpuSeconds
  }
  const analyzeTotal = [...analyze.values()].reduce((a, b) => a + b, 0)
  const perTable = [...analyze]
    .sort((a, b) => b[1] - a[1])
    .map(([t, s]) => `${t} ${s.toFixed(2)}`)
    .join(', ')
  return [
    `COPY ${copy.toFixed(2)}`,
    `indexes ${indexes.toFixed(2)}`,
    `ANALYZE ${analyzeTotal.toFixed(2)}${perTable ? ` (${perTable})` : ''}`,
    `other ${other.toFixed(2)}`,
  ].join(', ')
}

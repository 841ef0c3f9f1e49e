import type pg from 'pg'
import type { Catalog } from '../db/catalog.js'
import { quoteLiteral, quoteQualified } from '../db/sql-names.js'

/** `setval` for every sequence, so new rows after a restore do not collide. */
export async function sequenceValues(client: pg.Client, catalog: Catalog): Promise<string> {
  const lines: string[] = []
  for (const seq of catalog.sequences) {
    const name = quoteQualified(seq.schema, seq.name)
    const r = await client.query<{ last_value: string; is_called: boolean }>(
      `SELECT last_value::text AS last_value, is_called FROM ${name}`,
    )
    const row = r.rows[0]
    if (!row) continue
    lines.push(
      `SELECT pg_catalog.setval(${quoteLiteral(name)}, ${row.last_value}, ${row.is_called});`,
    )
  }
  return lines.length ? `\n-- Sequences\n${lines.join('\n')}\n\n` : ''
}

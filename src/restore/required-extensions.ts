import { createReadStream } from 'node:fs'
import { createGunzip } from 'node:zlib'
import { nextPiece } from './sql-splitter.js'
import { statementKind } from './statement-kind.js'

/**
 * The extensions a dump creates, read from its schema part (everything before
 * the first COPY block), so a missing one is named before anything changes.
 */
export async function requiredExtensions(dumpPath: string): Promise<string[]> {
  const names: string[] = []
  const file = createReadStream(dumpPath)
  const input = file.pipe(createGunzip())
  let text = ''
  try {
    for await (const chunk of input) {
      text += (chunk as Buffer).toString('latin1')
      let at = 0
      for (;;) {
        const piece = nextPiece(text, at, false)
        if (!piece) break
        at = piece.end
        if (piece.kind !== 'sql') continue
        if (statementKind(piece.sql) === 'copy') return names
        const match =
          /^CREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?("(?:[^"]|"")*"|[\w$]+)/i.exec(piece.sql)
        if (match?.[1]) names.push(match[1].replace(/^"|"$/g, '').replaceAll('""', '"'))
      }
      text = text.slice(at)
    }
    return names
  } finally {
    input.destroy()
    file.destroy()
  }
}

import { Writable } from 'node:stream'
import { createLogger, type Logger } from '../../src/logger.js'

/** A real logger whose JSON lines are kept, parsed, for a test to read. */
export function capturedLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = []
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  return { log: createLogger({ destination }), lines }
}

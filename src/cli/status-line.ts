import type { Cli } from './cli.js'

/**
 * What a long command prints on stderr: warnings always; phases and a
 * rewritten progress line (at most every `everyMs`) only on a terminal.
 */
export interface StatusLine {
  warning(message: string): void
  phase(name: string): void
  /** `text()` is called only when the line is due, so building it costs nothing otherwise. */
  progress(text: () => string): void
  stop(): void
}

export function createStatusLine(cli: Cli, everyMs = 250): StatusLine {
  const tty = cli.stderr.isTTY === true
  let shown = false
  let last = 0
  const newline = () => (shown ? '\n' : '')
  return {
    warning(message) {
      cli.stderr.write(`${newline()}warning: ${message}\n`)
      shown = false
    },
    phase(name) {
      if (!tty) return
      cli.stderr.write(`${newline()}${name}…\n`)
      shown = false
    },
    progress(text) {
      const now = Date.now()
      if (!tty || now - last < everyMs) return
      last = now
      cli.stderr.write(`\r${text()}   `)
      shown = true
    },
    stop() {
      if (shown) cli.stderr.write('\n')
    },
  }
}

export function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`
}

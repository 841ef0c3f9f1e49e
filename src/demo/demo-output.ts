import { Writable } from 'node:stream'
import type { Cli } from '../cli/cli.js'

/** What the demo prints: numbered steps, short indented lines, and the commands it runs. */
export interface DemoOutput {
  step(n: number, title: string): void
  /** One line under the current step (several when `text` holds newlines). */
  say(text?: string): void
  /** `$ dumpling …`, then that command's own output, indented under it. */
  command(line: string): void
  /**
   * A Cli for running a dumpling command in this process: its stdout and stderr
   * are indented into the demo's output; progress lines show when that is a terminal.
   */
  cli(env: NodeJS.ProcessEnv): Cli
}

const indent = '   '

export function createDemoOutput(out: NodeJS.WritableStream & { isTTY?: boolean }): DemoOutput {
  const write = (text: string) => out.write(text)
  const nested = indented(write, `${indent}  `)
  return {
    step(n, title) {
      write(`\n${n}. ${title}\n`)
    },
    say(text = '') {
      for (const line of text.split('\n')) write(line === '' ? '\n' : `${indent}${line}\n`)
    },
    command(line) {
      write(`${indent}$ ${line}\n`)
    },
    cli(env) {
      const stream = Object.assign(nested, { isTTY: out.isTTY === true })
      return { stdout: stream, stderr: stream, env }
    },
  }
}

/**
 * A stream that puts `prefix` before every line, also after a carriage return,
 * so a progress line rewritten in place stays indented.
 */
function indented(write: (text: string) => void, prefix: string): Writable {
  let lineStart = true
  return new Writable({
    write(chunk, _encoding, done) {
      let text = ''
      for (const part of String(chunk).split(/([\r\n])/)) {
        if (part === '\n' || part === '\r') {
          text += part
          lineStart = true
        } else if (part !== '') {
          text += lineStart ? prefix + part : part
          lineStart = false
        }
      }
      write(text)
      done()
    },
  })
}

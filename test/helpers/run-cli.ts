import { Readable, Writable } from 'node:stream'
import { main } from '../../src/cli/index.js'

/** Run `dumpling ARGS` in-process with captured output, the given environment and, if given, stdin (not a terminal). */
export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { stdin?: string; stdinIsTTY?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = ''
  let stderr = ''
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        append(String(chunk))
        done()
      },
    })
  const code = await main(args, {
    stdout: sink((s) => {
      stdout += s
    }),
    stderr: sink((s) => {
      stderr += s
    }),
    env: { PATH: process.env.PATH, ...env },
    ...(options.stdin === undefined
      ? {}
      : {
          stdin: Object.assign(Readable.from([options.stdin]), {
            isTTY: options.stdinIsTTY === true,
          }),
        }),
  })
  return { code, stdout, stderr }
}

import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { cliPath, serveNodeFlags } from '../cli/node-flags.js'

/** `dumpling serve` running as a child process of this one (the serve bench, `dumpling demo`). */
export interface ServeProcess {
  /** `http://127.0.0.1:PORT`: POST /slack/events, GET /readyz, GET /download/… */
  base: string
  /** The child's process id (the serve bench reads its CPU time). */
  pid: number | undefined
  /** Resolves once GET /readyz answers 200; rejects, with its output, if serve exits first or is not ready within `ms`. */
  ready(ms?: number): Promise<void>
  /** SIGTERM, then wait for it to exit (serve finishes the replies in flight). Safe to call twice. */
  stop(): Promise<void>
}

export interface ServeProcessOptions {
  /** The whole environment of the child: its config, secrets and PORT. */
  env: NodeJS.ProcessEnv
  port: number
  /** Node options before the script, e.g. `--cpu-prof`. */
  nodeArgs?: string[]
  /** `inherit` shares this process's stdout and stderr; `capture` keeps the tail for errors. */
  output: 'inherit' | 'capture'
}

export function startServeProcess(options: ServeProcessOptions): ServeProcess {
  const capture = options.output === 'capture'
  const child = spawn(
    process.execPath,
    // The options the CLI's serve runs itself with (node-flags.ts): no idle parent in between.
    [...serveNodeFlags(), ...(options.nodeArgs ?? []), cliPath, 'serve'],
    {
      env: { ...options.env, PORT: String(options.port) },
      stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
    },
  )
  let output = ''
  const keep = (chunk: Buffer) => {
    // The tail is what explains a failure; keep memory bounded.
    output = (output + chunk.toString('utf8')).slice(-4000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    child.once('exit', () => resolve())
    child.once('error', (err) => {
      output += `\n${err.message}`
      resolve()
    })
  })
  const base = `http://127.0.0.1:${options.port}`
  return {
    base,
    pid: child.pid,
    async ready(ms = 20_000) {
      const deadline = Date.now() + ms
      let gone = false
      exited.then(() => {
        gone = true
      })
      while (!gone && Date.now() < deadline) {
        const ok = await fetch(`${base}/readyz`).then(
          (r) => r.ok,
          () => false,
        )
        if (ok) return
        await new Promise((r) => setTimeout(r, 100))
      }
      const why = gone ? `exited (code ${child.exitCode})` : `was not ready within ${ms / 1000} s`
      throw new Error(`dumpling serve ${why}.${output ? ` Its output:\n${output.trim()}` : ''}`)
    },
    stop: () => stop(child, exited),
  }
}

function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
  return exited
}

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  return typeof address === 'object' && address ? address.port : 0
}

import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { type AddressInfo, createServer as createNetServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { freePort } from '../../src/bench/serve-bench.js'
import { cliNodeFlags } from '../../src/cli/node-flags.js'
import { runCli } from '../helpers/run-cli.js'
import { type SlackStub, signedCommand, startSlackStub, triggerId } from '../helpers/slack.js'
import { createWorkdir } from '../helpers/workdir.js'

const cli = fileURLToPath(new URL('../../dist/cli/index.js', import.meta.url))
const rulesPath = fileURLToPath(new URL('../fixtures/rules.yml', import.meta.url))
const work = createWorkdir()
let stub: SlackStub
let configPath: string
const secrets = {
  SLACK_BOT_TOKEN: `xoxb-9-9-${randomBytes(10).toString('hex')}`,
  SLACK_SIGNING_SECRET: randomBytes(20).toString('hex'),
  DUMPLING_LINK_SECRET: randomBytes(32).toString('base64'),
}

beforeAll(async () => {
  stub = await startSlackStub()
  configPath = work.write(
    'dumpling.yml',
    `rules: ${rulesPath}\nstorage: { kind: local, dir: ./store }\nslack: { teams: [T0ACME] }\n`,
  )
})

afterAll(async () => {
  await stub.close()
  work.remove()
})

/** `dumpling serve` in a child process, its stdout and stderr kept together. */
function startServe(config: string, env: Record<string, string>, nodeFlags: string[] = []) {
  const child = spawn(process.execPath, [...nodeFlags, cli, 'serve', '--config', config], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const keep = (chunk: Buffer) => {
    out += chunk.toString('utf8')
  }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  return { child, exited, output: () => out }
}

async function untilListening(output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000
  while (!output().includes('dumpling serve is listening') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50))
  }
  expect(output()).toContain('dumpling serve is listening')
}

/** The processes `pid` started (Linux). */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim()
  return text === '' ? [] : text.split(/\s+/).map(Number)
}

/**
 * SIGKILL to a test's serve processes that still run (a failed test's leftovers): `pid`,
 * what it started, and `served` (a respawned serve, which outlives its parent).
 */
function killAll(pid: number | undefined, served?: number): void {
  const alive = (p: number | undefined): p is number => p !== undefined && existsSync(`/proc/${p}`)
  const all = alive(pid) ? [pid, ...childrenOf(pid)] : []
  if (alive(served)) all.push(served)
  for (const p of all) {
    try {
      process.kill(p, 'SIGKILL')
    } catch {}
  }
}

function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')
}

describe('dumpling serve', () => {
  it('serves health checks, and on SIGTERM stops cleanly with exit 0', async () => {
    const port = await freePort()
    const serve = startServe(configPath, {
      ...secrets,
      SLACK_API_URL: stub.apiUrl,
      PORT: String(port),
    })
    const deadline = Date.now() + 20_000
    while (!serve.output().includes('dumpling serve is listening') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(serve.output()).toContain('dumpling serve is listening')
    const base = `http://127.0.0.1:${port}`
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
    expect((await fetch(`${base}/readyz`)).status).toBe(200)
    expect((await fetch(`${base}/nothing-here`)).status).toBe(404)
    serve.child.kill('SIGTERM')
    expect(await serve.exited).toBe(0)
    expect(serve.output()).toContain('dumpling serve stopped')
    for (const secret of Object.values(secrets)) expect(serve.output()).not.toContain(secret)
  })

  it('started as the installed command starts it (--single-threaded), runs itself again without the flag and passes SIGTERM on', async () => {
    const port = await freePort()
    const flags = cliNodeFlags(cli)
    expect(flags).toContain('--single-threaded')
    const serve = startServe(
      configPath,
      { ...secrets, SLACK_API_URL: stub.apiUrl, PORT: String(port) },
      flags,
    )
    let served: number | undefined
    onTestFinished(() => killAll(serve.child.pid, served))
    await untilListening(serve.output)
    const parent = serve.child.pid as number
    const children = childrenOf(parent)
    served = children[0]
    expect(children).toHaveLength(1)
    expect(commandLine(parent)).toContain('--single-threaded')
    const line = commandLine(children[0] as number)
    expect(line).toContain('serve')
    expect(line).not.toContain('--single-threaded')
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200)
    serve.child.kill('SIGTERM')
    expect(await serve.exited).toBe(0)
    expect(serve.output()).toContain('"signal":"SIGTERM"')
    expect(serve.output()).toContain('dumpling serve stopped')
  })

  it.each([
    ['SIGINT (Ctrl-C), passed on', ['parent'], 'SIGINT'],
    ['SIGHUP, passed on', ['parent'], 'SIGHUP'],
    ['SIGTERM to both processes at once (systemd, pkill -f)', ['parent', 'child'], 'SIGTERM'],
  ] as const)('respawned, stops gracefully on %s', async (_name, to, signal) => {
    const port = await freePort()
    const serve = startServe(
      configPath,
      { ...secrets, SLACK_API_URL: stub.apiUrl, PORT: String(port) },
      cliNodeFlags(cli),
    )
    let served: number | undefined
    onTestFinished(() => killAll(serve.child.pid, served))
    await untilListening(serve.output)
    const parent = serve.child.pid as number
    ;[served] = childrenOf(parent)
    for (const who of to) process.kill(who === 'parent' ? parent : (served as number), signal)
    expect(await serve.exited).toBe(0)
    expect(serve.output()).toContain(`"signal":"${signal}"`)
    expect(serve.output()).toContain('dumpling serve stopped')
  })

  it('respawned, stops by itself when the process that started it is killed', async () => {
    const port = await freePort()
    const serve = startServe(
      configPath,
      { ...secrets, SLACK_API_URL: stub.apiUrl, PORT: String(port) },
      cliNodeFlags(cli),
    )
    await untilListening(serve.output)
    const [served] = childrenOf(serve.child.pid as number)
    onTestFinished(() => killAll(serve.child.pid, served))
    serve.child.kill('SIGKILL')
    await serve.exited
    // The respawned serve still writes to the same pipe: it notices and drains as on SIGTERM.
    const deadline = Date.now() + 15_000
    while (!serve.output().includes('dumpling serve stopped') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(serve.output()).toContain('"signal":"parent gone"')
    expect(serve.output()).toContain('dumpling serve stopped')
    while (existsSync(`/proc/${served}`) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(existsSync(`/proc/${served}`)).toBe(false)
  })

  it('a second signal more than a second after the first ends serve at once, mid-drain', async () => {
    // A response_url that takes the reply and never answers: the drain would wait 10 s for it.
    let replyReached: () => void = () => {}
    const reached = new Promise<void>((resolve) => {
      replyReached = resolve
    })
    const silent = createNetServer((socket) => socket.once('data', () => replyReached()))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    onTestFinished(() => new Promise<void>((resolve) => silent.close(() => resolve())))
    const port = await freePort()
    const serve = startServe(configPath, {
      ...secrets,
      SLACK_API_URL: stub.apiUrl,
      PORT: String(port),
    })
    onTestFinished(() => killAll(serve.child.pid))
    await untilListening(serve.output)
    const { headers, body } = signedCommand(secrets.SLACK_SIGNING_SECRET, {
      team_id: 'T0ACME',
      channel_id: 'C0DRAIN',
      user_id: 'U0DRAIN',
      text: 'latest',
      trigger_id: triggerId(),
      response_url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hooks/1`,
    })
    const res = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: 'POST',
      headers,
      body,
    })
    expect(res.status).toBe(200)
    await reached
    serve.child.kill('SIGTERM')
    // A repeat within the second is the same request: still draining.
    await new Promise((r) => setTimeout(r, 300))
    serve.child.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 1200))
    expect(serve.child.exitCode).toBeNull()
    expect(serve.output()).toContain('shutting down')
    serve.child.kill('SIGTERM')
    const at = Date.now()
    await serve.exited
    expect(serve.child.signalCode).toBe('SIGTERM')
    expect(Date.now() - at).toBeLessThan(2000)
    expect(serve.output()).not.toContain('dumpling serve stopped')
  })

  it("respawned, its exit code and errors are the command's (a missing config: exit 3)", async () => {
    const serve = startServe(join(work.dir, 'missing.yml'), secrets, cliNodeFlags(cli))
    expect(await serve.exited).toBe(3)
    expect(serve.output()).toContain('No config file at')
  })

  it("records each command's step times for the bench with DUMPLING_BENCH_PHASES: numbers only, written at exit", async () => {
    const port = await freePort()
    const file = join(work.dir, 'phases.json')
    const serve = startServe(configPath, {
      ...secrets,
      SLACK_API_URL: stub.apiUrl,
      PORT: String(port),
      DUMPLING_BENCH_PHASES: file,
    })
    try {
      const base = `http://127.0.0.1:${port}`
      const deadline = Date.now() + 20_000
      let ready = false
      while (!ready && Date.now() < deadline) {
        ready = await fetch(`${base}/readyz`).then(
          (r) => r.ok,
          () => false,
        )
        if (!ready) await new Promise((r) => setTimeout(r, 50))
      }
      const responseUrl = stub.responseUrl()
      const trigger = triggerId()
      const { headers, body } = signedCommand(secrets.SLACK_SIGNING_SECRET, {
        team_id: 'T0ACME',
        channel_id: 'C0PHASES',
        user_id: 'U0PHASES',
        text: 'latest',
        trigger_id: trigger,
        response_url: responseUrl,
      })
      expect((await fetch(`${base}/slack/events`, { method: 'POST', headers, body })).status).toBe(
        200,
      )
      await stub.replies(responseUrl)
      serve.child.kill('SIGTERM')
      expect(await serve.exited).toBe(0)
      const text = readFileSync(file, 'utf8')
      for (const secret of [trigger, 'U0PHASES', 'C0PHASES', responseUrl, 'latest']) {
        expect(text).not.toContain(secret)
      }
      const record = JSON.parse(text)
      expect(record.commands).toHaveLength(1)
      const [times] = record.commands
      const at = (phase: string) => times[record.phases.indexOf(phase)]
      // Refused (no users listed): nothing audited with a link, but every other step is timed.
      for (const phase of ['received', 'acked', 'listener', 'replySent', 'replyAnswered']) {
        expect(typeof at(phase)).toBe('number')
      }
      expect(at('acked')).toBeGreaterThanOrEqual(at('received'))
      expect(at('replyAnswered')).toBeGreaterThanOrEqual(at('replySent'))
      // The refusal's audit write (without a link) is timed too.
      expect(record.writes).toHaveLength(1)
      expect(record.writes[0][0]).toBe(1)
    } finally {
      serve.child.kill('SIGKILL')
    }
  })

  it('stops cleanly on SIGTERM while it is still warming up (storage not answering)', async () => {
    // Storage that takes connections and never answers: the warm-up waits on it.
    const silent = createNetServer(() => {})
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const storagePort = (silent.address() as AddressInfo).port
    const config = work.write(
      'dumpling-silent.yml',
      `rules: ${rulesPath}\nstorage: { kind: s3, bucket: dumps, endpoint: "http://127.0.0.1:${storagePort}", forcePathStyle: true }\nslack: { teams: [T0ACME] }\n`,
    )
    const port = await freePort()
    const serve = startServe(config, {
      ...secrets,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: randomBytes(20).toString('hex'),
      AWS_REGION: 'us-east-1',
      SLACK_API_URL: stub.apiUrl,
      PORT: String(port),
      LOG_LEVEL: 'debug',
    })
    try {
      const base = `http://127.0.0.1:${port}`
      const deadline = Date.now() + 20_000
      let healthy = false
      while (!healthy && Date.now() < deadline) {
        healthy = await fetch(`${base}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
        if (!healthy) await new Promise((r) => setTimeout(r, 50))
      }
      expect(healthy).toBe(true)
      const ready = await fetch(`${base}/readyz`)
      expect(ready.status).toBe(503)
      expect(await ready.json()).toEqual({ ok: false, reason: 'starting' })
      const signalled = Date.now()
      serve.child.kill('SIGTERM')
      expect(await serve.exited).toBe(0)
      // Well before the warm-up's own 10-second limit.
      expect(Date.now() - signalled).toBeLessThan(5000)
      expect(serve.output()).toContain('shutting down')
      expect(serve.output()).toContain('dumpling serve stopped')
      expect(serve.output()).not.toContain('dumpling serve is listening')
    } finally {
      serve.child.kill('SIGKILL')
      silent.close()
    }
  })

  it('refuses to start without a bot token, saying how to get one (exit 3)', async () => {
    const { SLACK_BOT_TOKEN: _, ...rest } = secrets
    const result = await runCli(['serve', '--config', configPath], { ...rest, PORT: '0' })
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('SLACK_BOT_TOKEN is not set')
  })

  it('refuses a PORT that is not a port (exit 3)', async () => {
    const result = await runCli(['serve', '--config', configPath], { ...secrets, PORT: 'eighty' })
    expect(result.code).toBe(3)
    expect(result.stderr).toContain('PORT is "eighty"')
  })

  it('says so when the port is taken (exit 30)', async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, resolve))
    try {
      const port = (taken.address() as AddressInfo).port
      const result = await runCli(['serve', '--config', configPath], {
        ...secrets,
        PORT: String(port),
        SLACK_API_URL: stub.apiUrl,
      })
      expect(result.code).toBe(30)
      expect(result.stderr).toContain(`Could not listen on port ${port}`)
    } finally {
      taken.close()
    }
  })
})

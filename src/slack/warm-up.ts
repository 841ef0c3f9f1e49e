import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { Pool } from 'undici'
import type { SnapshotStorage } from '../storage/storage.js'
import type { LatestSnapshot } from './latest-snapshot.js'
import { checkSignature } from './slack-receiver.js'
import { slackSignature } from './slack-signature.js'

export interface WarmUpDeps {
  /** The port this process just started listening on. */
  port: number
  storage: Pick<SnapshotStorage, 'createLinkTo'>
  latest: LatestSnapshot
  linkSeconds: number
  /** Loopback requests of each kind (default 200), 25 at a time. */
  requests?: number
  /** stop() during the warm-up: no more requests, the ones in flight are cut. */
  signal?: AbortSignal
}

/**
 * Run the code a command runs, before `/readyz` says ready, so that V8 has compiled it
 * before the first burst of commands instead of during it (README, "The Slack app under
 * load"): loopback `GET /healthz` and unsigned `ssl_check` POSTs to this server through
 * undici (the node:http server, the receiver's body reading and its one-write answer, the
 * undici client), signature checks of a made-up request, and links to the
 * newest snapshot, presigned and thrown away. No side effect: nothing is audited, nothing
 * goes to Slack; the newest snapshot is read once and remembered for a few seconds, as for
 * a first command. A failure here only costs the warmth: it is returned, never thrown.
 */
export async function warmUp(deps: WarmUpDeps): Promise<Error | null> {
  const n = deps.requests ?? 200
  const pool = new Pool(`http://127.0.0.1:${deps.port}`, { connections: 25 })
  try {
    const sslCheck = 'ssl_check=1&token=warm-up'
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    const secret = 'warm-up'
    const { signal } = deps
    await inParallel(n, 25, signal, async () => {
      const health = await pool.request({ path: '/healthz', method: 'GET', signal })
      await health.body.dump()
      const check = await pool.request({
        path: '/slack/events',
        method: 'POST',
        headers: form,
        body: sslCheck,
        signal,
      })
      await check.body.dump()
      const timestamp = Math.floor(Date.now() / 1000)
      const headers = {
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': slackSignature(secret, timestamp, sslCheck),
      }
      checkSignature(secret, headers, Buffer.from(sslCheck), Date.now())
    })
    const manifest = signal?.aborted ? null : await deps.latest.get()
    if (manifest) {
      await inParallel(n, 25, signal, () => deps.storage.createLinkTo(manifest, deps.linkSeconds))
    }
    return null
  } catch (err) {
    return err as Error
  } finally {
    await pool.close()
  }
}

async function inParallel(
  n: number,
  width: number,
  signal: AbortSignal | undefined,
  work: () => Promise<unknown>,
): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next++ < n && !signal?.aborted) await work()
  }
  await Promise.all(Array.from({ length: width }, worker))
}

/**
 * One full garbage collection, after the warm-up and before `/readyz` says ready: the
 * warm-up's garbage (a rehearsal of 1,000 commands) otherwise fills the old generation,
 * and V8 collected it during the first second of traffic, marking for about 170 ms
 * beside the work and pausing 11 ms (serve bench, `--trace-gc`). `gc()` is only given
 * to contexts made after `--expose-gc` is set, hence the new context. False when V8
 * would not (nothing else changes).
 */
export function collectGarbage(): boolean {
  try {
    setFlagsFromString('--expose-gc')
    const gc: unknown = runInNewContext('gc')
    if (typeof gc !== 'function') return false
    gc()
    return true
  } catch {
    return false
  }
}

import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'

/**
 * A transform thread needs little heap: one batch (~1 MiB) and the memos. V8's
 * default young generation (semi-spaces up to 16 MB each, per thread) is what
 * pushed peak RSS past 300 MB; a smaller one costs a little more GC.
 */
const threadLimits = { maxYoungGenerationSizeMb: 6, maxOldGenerationSizeMb: 256 }

/** The compiled worker script, next to this module (dist/) or, when running from src/, in dist/. */
export function findWorkerScript(): string | null {
  for (const candidate of ['./transform-worker.js', '../../dist/snapshot/transform-worker.js']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url))
    if (existsSync(path)) return path
  }
  return null
}

/**
 * Start `count` transform threads without their key (it is their first message).
 * A thread takes a few hundred milliseconds to load its code; started before the
 * caller loads its own (this module imports nothing else), that time is not
 * waited for. Empty when the worker script is not built.
 */
export function startTransformThreads(count: number): Worker[] {
  const script = findWorkerScript()
  if (!script) return []
  return Array.from({ length: count }, () => {
    const worker = new Worker(script, { resourceLimits: threadLimits })
    // Until its runner listens: a thread that fails now has ended (threadId -1) when
    // the runner takes it, and the runner reports that.
    worker.on('error', () => {})
    return worker
  })
}

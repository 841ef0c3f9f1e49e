import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'

/** Self time of one function (or one file) in a V8 CPU profile. */
export interface HotSpot {
  name: string
  ms: number
  share: number
}

export interface ProfileSummary {
  totalMs: number
  functions: HotSpot[]
  files: HotSpot[]
  /** One entry per thread (main, then workers): sampled and idle time. */
  threads: { name: string; ms: number; idleMs: number }[]
}

interface CpuProfile {
  nodes: {
    id: number
    callFrame: { functionName: string; url: string; lineNumber: number }
  }[]
  samples: number[]
  timeDeltas: number[]
}

/**
 * Summarize the `.cpuprofile` files Node wrote with `--cpu-prof` into `dir`,
 * one per thread (main and worker threads): self time per function and per
 * file over all threads, largest first. Work on libuv's thread pool (async
 * zlib) is not in it; "(idle)" is a thread waiting.
 */
export async function summarizeCpuProfiles(
  dir: string,
  root: string,
  top = 15,
): Promise<ProfileSummary> {
  const byFunction = new Map<string, number>()
  const byFile = new Map<string, number>()
  const threads: ProfileSummary['threads'] = []
  let total = 0
  // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; thread 0 is the main thread.
  const files = (await readdir(dir))
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => ({ file: f, thread: Number(f.split('.').at(-3)) }))
    .sort((a, b) => a.thread - b.thread)
  for (const { file, thread } of files) {
    let threadUs = 0
    let idleUs = 0
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile
    const labels = new Map<number, { fn: string; file: string }>()
    for (const node of profile.nodes) {
      const { functionName, url, lineNumber } = node.callFrame
      const where = shortUrl(url, root)
      labels.set(node.id, {
        fn: `${functionName || '(anonymous)'}${where ? ` ${where}:${lineNumber + 1}` : ''}`,
        file: where || functionName,
      })
    }
    profile.samples.forEach((id, i) => {
      const us = profile.timeDeltas[i] ?? 0
      const label = labels.get(id)
      if (!label || us < 0) return
      total += us
      threadUs += us
      if (label.fn === '(idle)') idleUs += us
      byFunction.set(label.fn, (byFunction.get(label.fn) ?? 0) + us)
      byFile.set(label.file, (byFile.get(label.file) ?? 0) + us)
    })
    threads.push({
      name: thread === 0 ? 'main' : `worker ${thread}`,
      ms: threadUs / 1000,
      idleMs: idleUs / 1000,
    })
  }
  const rank = (m: Map<string, number>, n: number): HotSpot[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: us / 1000, share: total ? us / total : 0 }))
  return {
    totalMs: total / 1000,
    functions: rank(byFunction, top),
    files: rank(byFile, 8),
    threads,
  }
}

function shortUrl(url: string, root: string): string {
  if (!url) return ''
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url
  return path.startsWith(root) ? relative(root, path) : path
}

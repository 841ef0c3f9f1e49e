import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The largest value each `process.memoryUsage()` field reached, in bytes. */
export interface MemoryPeaks {
  rss: number
  heapTotal: number
  heapUsed: number
  external: number
  arrayBuffers: number
}

/**
 * A module preloaded into a Node child (`--import`) that samples
 * `process.memoryUsage()` every 50 ms and writes the peaks at exit: it tells
 * whether memory goes to the JS heap or to Buffers.
 */
export async function createMemorySampler(
  tempDir: string,
): Promise<{ nodeFlags: string[]; peaks(): Promise<MemoryPeaks | null> }> {
  const preload = join(tempDir, 'sample-memory.mjs')
  const out = join(tempDir, 'memory-peaks.json')
  await writeFile(
    preload,
    `import { writeFileSync } from 'node:fs'
const peaks = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }
const sample = () => {
  const m = process.memoryUsage()
  for (const k of Object.keys(peaks)) peaks[k] = Math.max(peaks[k], m[k])
}
setInterval(sample, 50).unref()
process.on('exit', () => {
  sample()
  writeFileSync(${JSON.stringify(out)}, JSON.stringify(peaks))
})
`,
  )
  return {
    nodeFlags: ['--import', pathToFileURL(preload).href],
    async peaks() {
      const text = await readFile(out, 'utf8').catch(() => '')
      return text ? (JSON.parse(text) as MemoryPeaks) : null
    },
  }
}

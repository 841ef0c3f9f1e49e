import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** Peak memory and CPU of one finished command. */
export interface Usage {
  maxRssBytes: number
  /** User + system CPU seconds, children included when the probe sees them. */
  cpuSeconds: number
}

/** A command wrapped so that its usage can be read after it exits. */
export interface Probed {
  cmd: string
  args: string[]
  env: NodeJS.ProcessEnv
  /** Usage of the finished command, or null when it left none. */
  usage(): Promise<Usage | null>
}

/**
 * How to measure a child's peak RSS: GNU time (`time -v`) on Linux when it
 * is installed, which also counts the command's own children; otherwise a
 * module preloaded into Node that writes `process.resourceUsage()` at exit
 * (Node commands only).
 */
export interface ResourceProbe {
  name: string
  wrap(cmd: string, args: string[], options: { isNode: boolean }): Probed
}

export async function createResourceProbe(tempDir: string): Promise<ResourceProbe> {
  const gnuTime = findGnuTime()
  let counter = 0
  const nextFile = (ext: string) => join(tempDir, `usage-${++counter}.${ext}`)
  if (gnuTime) {
    return {
      name: `${gnuTime} -v`,
      wrap(cmd, args) {
        const file = nextFile('txt')
        return {
          cmd: gnuTime,
          args: ['-v', '-o', file, cmd, ...args],
          env: {},
          usage: async () => parseGnuTime(await readFile(file, 'utf8').catch(() => '')),
        }
      },
    }
  }
  const preload = join(tempDir, 'report-usage.mjs')
  await writeFile(preload, preloadSource)
  return {
    name: 'process.resourceUsage() at exit',
    wrap(cmd, args, { isNode }) {
      if (!isNode) return { cmd, args, env: {}, usage: async () => null }
      const file = nextFile('json')
      return {
        cmd,
        args: ['--import', pathToFileURL(preload).href, ...args],
        env: { DUMPLING_BENCH_USAGE_FILE: file },
        usage: async () => {
          const text = await readFile(file, 'utf8').catch(() => '')
          if (!text) return null
          const u = JSON.parse(text) as {
            maxRSS: number
            userCPUTime: number
            systemCPUTime: number
          }
          return {
            maxRssBytes: u.maxRSS * 1024,
            cpuSeconds: (u.userCPUTime + u.systemCPUTime) / 1e6,
          }
        },
      }
    },
  }
}

const preloadSource = `import { writeFileSync } from 'node:fs'
process.on('exit', () => {
  const file = process.env.DUMPLING_BENCH_USAGE_FILE
  if (file) writeFileSync(file, JSON.stringify(process.resourceUsage()))
})
`

/** `time` on PATH, if it is GNU time (the shell keyword is no program, and BSD time has no -v). */
function findGnuTime(): string | null {
  if (process.platform !== 'linux') return null
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, 'time')
    if (!dir || !existsSync(path)) continue
    try {
      execFileSync(path, ['-v', '-o', '/dev/null', 'true'], { stdio: 'ignore' })
      return path
    } catch {
      return null
    }
  }
  return null
}

function parseGnuTime(text: string): Usage | null {
  const field = (label: string) => {
    const m = new RegExp(`${label}: ([\\d.]+)`).exec(text)
    return m ? Number(m[1]) : null
  }
  const rssKb = field('Maximum resident set size \\(kbytes\\)')
  if (rssKb === null) return null
  return {
    maxRssBytes: rssKb * 1024,
    cpuSeconds: (field('User time \\(seconds\\)') ?? 0) + (field('System time \\(seconds\\)') ?? 0),
  }
}

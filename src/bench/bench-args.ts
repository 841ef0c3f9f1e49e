import { parseArgs } from 'node:util'

export const benchHelp = `Usage: npm run bench -- [options]

Builds a throwaway PostgreSQL with personal data (about 400 MB of tables at
scale 1), then times "pg_dump -Fp | gzip -1" against "dumpling snapshot" in
alternating rounds, measures every transformer, and prints a report with the
targets. Exits 0 when a target is missed: it is a report.

Options:
  --scale S         data size; 1 is about 400 MB of tables, 0.05 a quick try (default 1)
  --rounds N        timed rounds of each command (default 3)
  --jobs N          dumpling snapshot --jobs (default 2)
  --memory-check    also grow the data to 2 x scale and compare dumpling's peak RSS
  --profile         CPU-profile one more dumpling run and list its hot spots
                    (done anyway when the time ratio misses its target)
  --values N        distinct values per transformer batch (default 200000)
  --batches N       timed batches per transformer (default 5)`

/** Parsed `npm run bench` options. */
export interface BenchOptions {
  scale: number
  rounds: number
  jobs: number
  memoryCheck: boolean
  profile: boolean
  values: number
  batches: number
}

/** Parse argv; returns null for --help, throws an Error saying what is wrong. */
export function parseBenchArgs(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string', default: '1' },
      rounds: { type: 'string', default: '3' },
      jobs: { type: 'string', default: '2' },
      'memory-check': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      values: { type: 'string', default: '200000' },
      batches: { type: 'string', default: '5' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  if (values.help) return null
  const scale = Number(values.scale)
  if (!(scale > 0 && scale <= 50)) {
    throw new Error(`--scale must be a number above 0 and at most 50, not "${values.scale}".`)
  }
  return {
    scale,
    rounds: whole('--rounds', values.rounds, 1, 50),
    jobs: whole('--jobs', values.jobs, 1, 32),
    memoryCheck: values['memory-check'],
    profile: values.profile,
    values: whole('--values', values.values, 1000, 5_000_000),
    batches: whole('--batches', values.batches, 1, 50),
  }
}

function whole(flag: string, text: string, min: number, max: number): number {
  const n = Number(text)
  if (!(Number.isInteger(n) && n >= min && n <= max)) {
    throw new Error(`${flag} must be a whole number from ${min} to ${max}, not "${text}".`)
  }
  return n
}

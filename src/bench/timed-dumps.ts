import { readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { cliNodeFlags } from '../cli/node-flags.js'
import type { ChildRunner } from './child-runner.js'
import type { ResourceProbe, Usage } from './resource-probe.js'

/** One timed dump. */
export interface DumpRun {
  ms: number
  usage: Usage | null
  /** Size of the compressed dump. */
  dumpBytes: number
}

export interface DumpTools {
  runner: ChildRunner
  probe: ResourceProbe
  /** Folder for outputs; each run's output is removed after it is measured. */
  tempDir: string
}

/**
 * The baseline: `pg_dump -Fp | gzip -1 > file`, as a shell pipeline with
 * pipefail so a failing pg_dump is not hidden by gzip's success.
 */
export async function timePgDump(
  tools: DumpTools,
  pgDump: string,
  url: string,
  round: number,
): Promise<DumpRun> {
  const out = join(tools.tempDir, `pg_dump-${round}.sql.gz`)
  const probed = tools.probe.wrap(
    'bash',
    ['-o', 'pipefail', '-c', '"$BENCH_PG_DUMP" -Fp -d "$BENCH_URL" | gzip -1 > "$BENCH_OUT"'],
    { isNode: false },
  )
  try {
    const { ms } = await tools.runner.run(probed.cmd, probed.args, {
      ...probed.env,
      BENCH_PG_DUMP: pgDump,
      BENCH_URL: url,
      BENCH_OUT: out,
    })
    const { size } = await stat(out)
    return { ms, usage: await probed.usage(), dumpBytes: size }
  } finally {
    await rm(out, { force: true })
  }
}

export interface DumplingCommand {
  /** dist/cli/index.js */
  cli: string
  config: string
  jobs: number
  env: NodeJS.ProcessEnv
}

/**
 * `node dist/cli/index.js snapshot --jobs N` with the Node options of the `dumpling`
 * command (cliNodeFlags), and extra ones (e.g. --cpu-prof).
 */
export async function timeDumpling(
  tools: DumpTools,
  command: DumplingCommand,
  round: number | string,
  nodeFlags: string[] = [],
): Promise<DumpRun> {
  const outDir = join(tools.tempDir, `dumpling-${round}`)
  const probed = tools.probe.wrap(
    process.execPath,
    [
      ...cliNodeFlags(command.cli),
      ...nodeFlags,
      command.cli,
      'snapshot',
      '--config',
      command.config,
      '--output',
      outDir,
      '--jobs',
      String(command.jobs),
    ],
    { isNode: true },
  )
  try {
    const { ms } = await tools.runner.run(probed.cmd, probed.args, {
      ...probed.env,
      ...command.env,
    })
    const manifest = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')) as {
      dump: { bytes: number }
    }
    return { ms, usage: await probed.usage(), dumpBytes: manifest.dump.bytes }
  } finally {
    await rm(outDir, { recursive: true, force: true })
  }
}

import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { connectSource } from '../db/connect.js'
import { introspect } from '../db/introspect.js'
import { startCluster } from '../db/throwaway-cluster.js'
import { withPgClient } from '../db/with-pg-client.js'
import { checkRules } from '../rules/check-rules.js'
import type { BatchRunner } from '../snapshot/batch-runner.js'
import { copyTable } from '../snapshot/copy-table.js'
import type { DumpWriter } from '../snapshot/dump-writer.js'
import type { BatchPlan } from '../snapshot/transform-batch.js'
import { createCompiler } from '../transformers/index.js'
import { benchRules } from './bench-rules.js'
import { createBenchData } from './load-bench-data.js'

/**
 * Captures the bench's real COPY batches (exactly as the snapshot cuts them)
 * into a folder, for replay-batches.ts to time the transform code on one
 * thread without PostgreSQL, gzip or other threads in the measurement.
 *
 *   node dist/bench/capture-batches.js DIR [--scale S] [--every N]
 *
 * Writes DIR/plans.json and DIR/NNNN.copy (every Nth batch of each table).
 */
async function main(): Promise<void> {
  const [dir, ...rest] = process.argv.slice(2)
  if (!dir) throw new Error('usage: capture-batches DIR [--scale S] [--every N]')
  const flag = (name: string, fallback: number) => {
    const i = rest.indexOf(name)
    return i >= 0 ? Number(rest[i + 1]) : fallback
  }
  const scale = flag('--scale', 1)
  const every = flag('--every', 4)
  const log = (line: string) => process.stderr.write(`${line}\n`)
  await mkdir(dir, { recursive: true })

  const cluster = await startCluster({ log })
  try {
    await withPgClient(cluster.adminUrl, (c) =>
      c.query("CREATE DATABASE bench TEMPLATE template0 ENCODING 'UTF8'"),
    )
    const url = cluster.url('bench')
    await createBenchData(url, scale, log)
    const client = await connectSource(url)
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY')
      const catalog = await introspect(client)
      const { problems, tables } = checkRules(benchRules, catalog, createCompiler('capture'))
      if (problems.length > 0) throw new Error(JSON.stringify(problems))
      const plans: BatchPlan[] = []
      const batches: { file: string; plan: string }[] = []
      let seen = 0
      const runner: BatchRunner = {
        async run(plan, raw) {
          if (!plans.some((p) => p.id === plan.id)) plans.push(plan)
          if (seen++ % every === 0) {
            const file = `${String(batches.length).padStart(4, '0')}.copy`
            batches.push({ file, plan: plan.id })
            await writeFile(join(dir, file), raw)
          }
          return { gz: Buffer.alloc(0), rows: 0, bytes: 0 }
        },
        async close() {},
      }
      const writer = { appendCompressed: async () => {} } as unknown as DumpWriter
      for (const planned of tables.filter((t) => t.data === 'dump')) {
        seen = 0
        await copyTable(client, planned, writer, runner, { chunkBytes: 1 << 20 })
      }
      // bigint ranges as strings; replay turns them back.
      const json = JSON.stringify({ plans, batches }, (_, v) =>
        typeof v === 'bigint' ? `${v}n` : v,
      )
      await writeFile(join(dir, 'plans.json'), json)
      log(`${batches.length} batches of ${plans.length} tables in ${dir}`)
    } finally {
      await client.end()
    }
  } finally {
    await cluster.stop()
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`)
  process.exitCode = 1
})

import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { OutBuffer } from '../snapshot/out-buffer.js'
import { type BatchPlan, compilePlan, transformBatch } from '../snapshot/transform-batch.js'
import { createCompiler } from '../transformers/index.js'

/**
 * Replays batches captured by capture-batches.ts through the transform code on
 * this thread (no gzip) and prints the CPU per pass and per table, the minimum
 * over passes (a shared machine only ever adds time), and a sha256 of the
 * output so a change that must not alter bytes can be checked.
 *
 *   node dist/bench/replay-batches.js DIR [--passes N] [--tables a,b] [--key K]
 */
async function main(): Promise<void> {
  const [dir, ...rest] = process.argv.slice(2)
  if (!dir) throw new Error('usage: replay-batches DIR [--passes N] [--tables a,b]')
  const flag = (name: string) => {
    const i = rest.indexOf(name)
    return i >= 0 ? rest[i + 1] : undefined
  }
  const passes = Number(flag('--passes') ?? 5)
  const only = flag('--tables')?.split(',')
  const key = flag('--key') ?? 'replay-key'
  const { plans, batches } = JSON.parse(await readFile(join(dir, 'plans.json'), 'utf8'), (_, v) =>
    typeof v === 'string' && /^-?\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v,
  ) as { plans: BatchPlan[]; batches: { file: string; plan: string }[] }
  const byId = new Map(plans.map((p) => [p.id, p]))
  const loaded = await Promise.all(
    batches
      .map((b) => ({ ...b, planned: byId.get(b.plan) as BatchPlan }))
      .filter((b) => !only || only.some((t) => b.planned.table.includes(t)))
      .map(async (b) => ({ plan: b.planned, raw: await readFile(join(dir, b.file)) })),
  )
  const values = new Map<string, number>()
  const best = new Map<string, number>()
  let digest = ''
  for (let pass = 0; pass < passes; pass++) {
    const compile = createCompiler(key)
    const compiled = new Map(plans.map((p) => [p.id, compilePlan(p, compile)]))
    const out = new OutBuffer(1 << 20)
    const hash = createHash('sha256')
    const cpu = new Map<string, number>()
    for (const { plan, raw } of loaded) {
      const started = process.cpuUsage()
      const { block, rows } = transformBatch(plan, compiled.get(plan.id) ?? [], raw, out)
      const used = process.cpuUsage(started)
      const table = plan.table.replace(/_\d{4}$|_default$/, '')
      cpu.set(table, (cpu.get(table) ?? 0) + used.user + used.system)
      if (pass === 0) values.set(table, (values.get(table) ?? 0) + rows * plan.columns.length)
      hash.update(block)
    }
    for (const [table, micros] of cpu)
      best.set(table, Math.min(best.get(table) ?? Infinity, micros))
    const total = [...cpu.values()].reduce((a, b) => a + b, 0)
    digest = hash.digest('hex').slice(0, 16)
    process.stdout.write(`pass ${pass + 1}: ${(total / 1e6).toFixed(3)} CPU-s, output ${digest}\n`)
  }
  let total = 0
  for (const [table, micros] of best) {
    total += micros
    const n = values.get(table) ?? 0
    process.stdout.write(
      `${table}: min ${(micros / 1e6).toFixed(3)} CPU-s, ${n.toLocaleString('en')} values, ${(micros / Math.max(n, 1)).toFixed(3)} µs per value\n`,
    )
  }
  process.stdout.write(`total (sum of minima): ${(total / 1e6).toFixed(3)} CPU-s\n`)
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`)
  process.exitCode = 1
})

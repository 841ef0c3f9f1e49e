import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import * as outBuffer from '../snapshot/out-buffer.js'
import type { BatchPlan } from '../snapshot/transform-batch.js'
import * as transformBatchModule from '../snapshot/transform-batch.js'
import * as transformersModule from '../transformers/index.js'

/**
 * Replays batches captured by capture-batches.ts through the transform code on
 * this thread (no gzip) and prints the CPU per pass and per table, the minimum
 * over passes (a shared machine only ever adds time), and a sha256 of the
 * output so a change that must not alter bytes can be checked.
 *
 *   node dist/bench/replay-batches.js DIR [--passes N] [--tables a,b] [--key K] [--against DIST]
 *
 * `--against DIST` also loads another build's transform code (another worktree's
 * `dist`) into this process and runs each batch through both, one after the other
 * (the order alternating by pass): the two see the same load, so their ratio moves far
 * less from run to run than two processes' CPU-seconds do on a shared machine.
 */
interface TransformCode {
  OutBuffer: typeof outBuffer.OutBuffer
  compilePlan: typeof transformBatchModule.compilePlan
  transformBatch: typeof transformBatchModule.transformBatch
  createCompiler: typeof transformersModule.createCompiler
}

const thisCode: TransformCode = { ...outBuffer, ...transformBatchModule, ...transformersModule }

async function loadCode(dist: string): Promise<TransformCode> {
  const at = (path: string) => pathToFileURL(resolve(dist, path)).href
  return {
    ...((await import(at('snapshot/out-buffer.js'))) as typeof outBuffer),
    ...((await import(at('snapshot/transform-batch.js'))) as typeof transformBatchModule),
    ...((await import(at('transformers/index.js'))) as typeof transformersModule),
  }
}

async function main(): Promise<void> {
  const [dir, ...rest] = process.argv.slice(2)
  if (!dir)
    throw new Error('usage: replay-batches DIR [--passes N] [--tables a,b] [--against DIST]')
  const flag = (name: string) => {
    const i = rest.indexOf(name)
    return i >= 0 ? rest[i + 1] : undefined
  }
  const passes = Number(flag('--passes') ?? 5)
  const only = flag('--tables')?.split(',')
  const key = flag('--key') ?? 'replay-key'
  const against = flag('--against')
  const codes = against ? [thisCode, await loadCode(against)] : [thisCode]
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
  const best = codes.map(() => new Map<string, number>())
  const ratios: number[] = []
  const digests: string[] = []
  for (let pass = 0; pass < passes; pass++) {
    const runs = codes.map((code) => {
      const compile = code.createCompiler(key)
      return {
        code,
        compiled: new Map(plans.map((p) => [p.id, code.compilePlan(p, compile)])),
        out: new code.OutBuffer(1 << 20),
        hash: createHash('sha256'),
        cpu: new Map<string, number>(),
      }
    })
    const order = pass % 2 === 0 ? runs : [...runs].reverse()
    for (const { plan, raw } of loaded) {
      const table = plan.table.replace(/_\d{4}$|_default$/, '')
      for (const run of order) {
        const started = process.cpuUsage()
        const { block, rows } = run.code.transformBatch(
          plan,
          run.compiled.get(plan.id) ?? [],
          raw,
          run.out,
        )
        const used = process.cpuUsage(started)
        run.cpu.set(table, (run.cpu.get(table) ?? 0) + used.user + used.system)
        if (pass === 0 && run === runs[0]) {
          values.set(table, (values.get(table) ?? 0) + rows * plan.columns.length)
        }
        run.hash.update(block)
      }
    }
    const totals = runs.map((run, r) => {
      for (const [table, micros] of run.cpu) {
        best[r]?.set(table, Math.min(best[r]?.get(table) ?? Infinity, micros))
      }
      return [...run.cpu.values()].reduce((a, b) => a + b, 0)
    })
    runs.forEach((run, r) => {
      digests[r] = run.hash.digest('hex').slice(0, 16)
    })
    const [mine = 0, theirs = 0] = totals
    if (against) ratios.push(mine / theirs)
    process.stdout.write(
      against
        ? `pass ${pass + 1}: ${(mine / 1e6).toFixed(3)} CPU-s, against ${(theirs / 1e6).toFixed(3)}: ratio ${(mine / theirs).toFixed(3)}, output ${digests[0]}${digests[1] === digests[0] ? ' (the same)' : ` against ${digests[1]}: DIFFERENT`}\n`
        : `pass ${pass + 1}: ${(mine / 1e6).toFixed(3)} CPU-s, output ${digests[0]}\n`,
    )
  }
  best.forEach((minima, r) => {
    if (against) process.stdout.write(r === 0 ? 'this build:\n' : `${against}:\n`)
    let total = 0
    for (const [table, micros] of minima) {
      total += micros
      const n = values.get(table) ?? 0
      process.stdout.write(
        `${table}: min ${(micros / 1e6).toFixed(3)} CPU-s, ${n.toLocaleString('en')} values, ${(micros / Math.max(n, 1)).toFixed(3)} µs per value\n`,
      )
    }
    process.stdout.write(`total (sum of minima): ${(total / 1e6).toFixed(3)} CPU-s\n`)
  })
  if (against) {
    const sorted = [...ratios].sort((a, b) => a - b)
    process.stdout.write(
      `ratio this build / ${against}, per pass: ${ratios.map((r) => r.toFixed(3)).join(', ')}; median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(3)}\n`,
    )
    if (digests[0] !== digests[1]) process.exitCode = 1
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`)
  process.exitCode = 1
})

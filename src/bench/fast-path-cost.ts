import { OutBuffer } from '../snapshot/out-buffer.js'
import { createCompiler, type TransformerName, transformers } from '../transformers/index.js'
import { median } from './stats.js'
import { measureTransformers } from './transformer-cost.js'
import { transformerSamples } from './transformer-samples.js'

/**
 * Each transformer's cost per value on its string path (what `npm run bench`
 * prints) beside its fast path (bytes in, bytes out), which is what the
 * snapshot uses for a plain field (ASCII, no COPY escape). The fast path is
 * timed on the same samples (the plain ones), laid out one after another in one
 * buffer as the fields of a batch are, its fakes written into one out buffer.
 *
 *   node dist/bench/fast-path-cost.js [--values N] [--batches N]
 */
async function main(): Promise<void> {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(name)
    return i >= 0 ? Number(process.argv[i + 1]) : fallback
  }
  const options = {
    key: 'fast-path-cost',
    values: arg('--values', 200_000),
    batches: arg('--batches', 5),
  }
  const strings = await measureTransformers(options)
  process.stdout.write('transformer      string µs  fast path µs\n')
  for (const { name, micros } of strings) {
    const fast = measureFastPath(name, options)
    process.stdout.write(
      `${name.padEnd(16)} ${(micros?.toFixed(2) ?? '-').padStart(9)}  ${(fast?.toFixed(2) ?? '-').padStart(12)}\n`,
    )
  }
}

function measureFastPath(
  name: TransformerName,
  options: { key: string; values: number; batches: number },
): number | null {
  const sample = transformerSamples[name]
  if (!sample || !transformers[name]) return null
  const perBatch: number[] = []
  for (let b = -1; b < options.batches; b++) {
    // Batch -1 warms the JIT up; every batch has inputs no other batch saw, and a fresh compiler.
    const first = b < 0 ? 10_000_000 : b * options.values
    const values = Array.from({ length: b < 0 ? 20_000 : options.values }, (_, i) =>
      sample.input(first + i),
    ).filter((v) => /^[ -~]*$/.test(v) && !v.includes('\\'))
    const src = Buffer.from(values.join(''), 'latin1')
    const { bytes } = createCompiler(options.key)(sample.spec, sample.column)
    if (!bytes) return null
    const out = new OutBuffer(1 << 20)
    const started = process.hrtime.bigint()
    let at = 0
    for (const value of values) {
      bytes(src, at, at + value.length, out)
      at += value.length
      if (out.length > 1 << 19) out.clear()
    }
    const micros = Number(process.hrtime.bigint() - started) / 1000 / values.length
    if (b >= 0) perBatch.push(micros)
  }
  return median(perBatch)
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`)
  process.exitCode = 1
})

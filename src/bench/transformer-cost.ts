import { createHmac, hash } from 'node:crypto'
import { createCompiler, type TransformerName, transformers } from '../transformers/index.js'
import { median } from './stats.js'
import { type TransformerSample, transformerSamples } from './transformer-samples.js'

export interface TransformerCost {
  name: TransformerName
  /** Median µs per value over the batches; null when there is no sample or it failed. */
  micros: number | null
  sample: TransformerSample | undefined
  error?: string
}

export interface CostOptions {
  key: string
  /** Distinct inputs per batch. */
  values: number
  batches: number
  /** Checked between transformers; the event loop gets a turn there too, for Ctrl-C. */
  signal?: AbortSignal
}

/**
 * Cost of every transformer in the registry on distinct, realistic inputs.
 * Each batch gets a fresh compiler (an empty memo) and inputs no other batch
 * saw, so every value pays for its digest; a short warm-up lets the JIT settle.
 */
export async function measureTransformers(options: CostOptions): Promise<TransformerCost[]> {
  const results: TransformerCost[] = []
  for (const name of Object.keys(transformers) as TransformerName[]) {
    await new Promise(setImmediate)
    options.signal?.throwIfAborted()
    const sample = transformerSamples[name]
    if (!sample) {
      results.push({
        name,
        micros: null,
        sample,
        error: 'no sample in src/bench/transformer-samples.ts',
      })
      continue
    }
    try {
      results.push({ name, micros: measureOne(sample, options), sample })
    } catch (err) {
      results.push({ name, micros: null, sample, error: (err as Error).message })
    }
  }
  return results
}

export interface ReferenceCost {
  name: string
  micros: number
}

/**
 * Yardsticks on the same inputs as email: a one-shot `crypto.hash` sha256 (what
 * the keyed digest used before SipHash, and design.md's machine reference) and
 * a Map memo that always misses (compile.ts). A busy machine shows up here too.
 */
export function measureReferences(options: CostOptions): ReferenceCost[] {
  const sample = transformerSamples.email
  if (!sample) return []
  const prefix = `${createHmac('sha256', options.key).update('dumpling/reference').digest('base64')}:`
  const digest = () => (value: string) => hash('sha256', prefix + value, 'buffer').length
  const memo = () => {
    const m = new Map<string, string>()
    return (value: string) => {
      const hit = m.get(value)
      if (hit !== undefined) return hit
      if (m.size >= 65_536) m.clear()
      m.set(value, value)
      return value
    }
  }
  return [
    { name: "crypto.hash('sha256')", micros: measure(sample.input, digest, options) },
    { name: 'Map memo, every value a miss', micros: measure(sample.input, memo, options) },
  ]
}

function measureOne(sample: TransformerSample, options: CostOptions): number {
  const compile = () => createCompiler(options.key)(sample.spec, sample.column).fn
  return measure(sample.input, compile, options)
}

/** Median µs per call over the batches; `make` gives a fresh function (an empty memo) per batch. */
function measure(
  input: (i: number) => string,
  make: () => (value: string) => unknown,
  options: CostOptions,
): number {
  const { values, batches } = options
  /** Keeps results alive so the JIT cannot drop the calls. */
  let sink = 0
  const run = (offset: number, count: number): number => {
    // Decoded from bytes, as the snapshot's row rewriter hands values over: flat strings.
    // A sample built by concatenation is a rope, which V8 flattens on the first slice or
    // hash, and that cost (0.8-1.4 µs for text's 160 characters) is not the transformer's.
    const inputs = Array.from({ length: count }, (_, i) =>
      Buffer.from(input(offset + i), 'utf8').toString('utf8'),
    )
    const fn = make()
    const started = process.hrtime.bigint()
    for (const value of inputs) {
      const out = fn(value)
      sink += typeof out === 'string' ? out.length : 1
    }
    return Number(process.hrtime.bigint() - started) / 1000 / count
  }
  run(10_000_000, Math.min(values, 20_000))
  const perBatch: number[] = []
  for (let b = 0; b < batches; b++) perBatch.push(run(b * values, values))
  if (sink < 0) throw new Error('unreachable: lengths are never negative')
  return median(perBatch)
}

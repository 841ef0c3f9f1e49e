import { parentPort } from 'node:worker_threads'
import { type Compiler, createCompiler } from '../transformers/index.js'
import {
  type BatchCompression,
  type BatchCompressor,
  createBatchCompressor,
} from './batch-compressor.js'
import { OutBuffer } from './out-buffer.js'
import type { FieldTransform } from './row-rewriter.js'
import { type BatchPlan, compilePlan, transformBatch } from './transform-batch.js'

/**
 * A transform thread: COPY rows in, a compressed COPY block out. Parsing,
 * transforming and compressing are most of a snapshot's CPU; running them
 * here uses every core while the main thread only moves bytes.
 */
export interface BatchRequest {
  id: number
  /** Sent with the first batch of each table only. */
  plan?: BatchPlan
  planId: string
  raw: Uint8Array
}

export type BatchResponse =
  | { id: number; gz: Uint8Array; rows: number; bytes: number }
  | { id: number; error: string }

/** The first message a thread gets: it starts before the key is known (startTransformThreads). */
export interface KeyMessage {
  key: string
  /** How to compress every batch (chooseCompression, on the main thread). */
  compression: BatchCompression
}

let compile: Compiler | null = null
let compressor: BatchCompressor | null = null
/** Why this thread cannot compress (the addon failed to load here): each batch reports it. */
let compressorError: string | null = null
const plans = new Map<string, { plan: BatchPlan; transforms: FieldTransform[] }>()
/** Each block is compressed before the next batch: one buffer serves them all. */
const out = new OutBuffer(1 << 20)

parentPort?.on('message', (message: BatchRequest | KeyMessage) => {
  if ('key' in message) {
    compile = createCompiler(message.key)
    try {
      compressor = createBatchCompressor(message.compression)
    } catch (err) {
      compressorError = (err as Error).message
    }
    return
  }
  const request = message
  try {
    if (compressorError) throw new Error(compressorError)
    if (!compile || !compressor) throw new Error('no key yet')
    if (request.plan) {
      plans.set(request.plan.id, {
        plan: request.plan,
        transforms: compilePlan(request.plan, compile),
      })
    }
    const entry = plans.get(request.planId)
    if (!entry) throw new Error(`no plan ${request.planId}`)
    const raw = Buffer.from(request.raw.buffer, request.raw.byteOffset, request.raw.byteLength)
    const { block, rows } = transformBatch(entry.plan, entry.transforms, raw, out)
    const gz = compressor.sync(block)
    const response: BatchResponse = { id: request.id, gz, rows, bytes: block.length }
    parentPort?.postMessage(response, ownsBuffer(gz) ? [gz.buffer] : [])
  } catch (err) {
    parentPort?.postMessage({
      id: request.id,
      error: (err as Error).message,
    } satisfies BatchResponse)
  }
})

function ownsBuffer(b: Uint8Array): boolean {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength
}

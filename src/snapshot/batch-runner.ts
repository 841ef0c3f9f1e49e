import type { Worker } from 'node:worker_threads'
import { createCompiler } from '../transformers/index.js'
import { type BatchCompression, createBatchCompressor } from './batch-compressor.js'
import type { FieldTransform } from './row-rewriter.js'
import { type BatchPlan, compilePlan, transformBatch } from './transform-batch.js'
import { startTransformThreads } from './transform-threads.js'
import type { BatchRequest, BatchResponse, KeyMessage } from './transform-worker.js'

export interface BatchResult {
  /** One gzip member holding one complete COPY block. */
  gz: Buffer
  rows: number
  /** Uncompressed bytes of the block. */
  bytes: number
}

/** Turns raw COPY rows into compressed, anonymized COPY blocks. */
export interface BatchRunner {
  run(plan: BatchPlan, raw: Buffer): Promise<BatchResult>
  close(): Promise<void>
}

/** On the main thread (zlib compresses on the thread pool, ISA-L here): for one core, or when no worker script is built. */
export function createInlineRunner(key: string, compression: BatchCompression): BatchRunner {
  const compile = createCompiler(key)
  const compressor = createBatchCompressor(compression)
  const plans = new Map<string, FieldTransform[]>()
  return {
    async run(plan, raw) {
      let transforms = plans.get(plan.id)
      if (!transforms) {
        transforms = compilePlan(plan, compile)
        plans.set(plan.id, transforms)
      }
      const { block, rows } = transformBatch(plan, transforms, raw)
      return { gz: await compressor.async(block), rows, bytes: block.length }
    },
    async close() {},
  }
}

interface Task {
  id: number
  plan: BatchPlan
  raw: Buffer
  resolve: (r: BatchResult) => void
  reject: (e: Error) => void
}

interface Slot {
  worker: Worker
  plans: Set<string>
  task: Task | null
}

/**
 * A pool of `threads` transform threads; each takes one batch at a time. Threads
 * already `started` (startTransformThreads) are used first and more are started
 * if needed; those beyond `threads` end now. The pool owns them all.
 */
export function createWorkerRunner(
  key: string,
  compression: BatchCompression,
  threads: number,
  started: Worker[] = [],
): BatchRunner {
  for (const extra of started.slice(threads)) extra.terminate().catch(() => {})
  const kept = started.slice(0, threads)
  const workers = [...kept, ...startTransformThreads(threads - kept.length)]
  const queue: Task[] = []
  let nextId = 1
  let failure: Error | null = null

  const fail = (err: Error) => {
    failure ??= err
    for (const slot of slots) {
      slot.task?.reject(failure)
      slot.task = null
    }
    for (const task of queue.splice(0)) task.reject(failure)
  }

  const dispatch = () => {
    for (const slot of slots) {
      if (slot.task || queue.length === 0) continue
      const task = queue.shift() as Task
      slot.task = task
      const request: BatchRequest = { id: task.id, planId: task.plan.id, raw: task.raw }
      if (!slot.plans.has(task.plan.id)) {
        request.plan = task.plan
        slot.plans.add(task.plan.id)
      }
      const owns = task.raw.byteOffset === 0 && task.raw.byteLength === task.raw.buffer.byteLength
      slot.worker.postMessage(request, owns ? [task.raw.buffer as ArrayBuffer] : [])
    }
  }

  const slots: Slot[] = workers.map((worker) => {
    const slot: Slot = { worker, plans: new Set(), task: null }
    worker.postMessage({ key, compression } satisfies KeyMessage)
    slot.worker.on('message', (response: BatchResponse) => {
      const task = slot.task
      slot.task = null
      if (!task || task.id !== response.id) return
      if ('error' in response) task.reject(new Error(`${task.plan.table}: ${response.error}`))
      else
        task.resolve({
          gz: Buffer.from(response.gz.buffer, response.gz.byteOffset, response.gz.byteLength),
          rows: response.rows,
          bytes: response.bytes,
        })
      dispatch()
    })
    slot.worker.on('error', (err) => fail(err))
    slot.worker.on('exit', (code) => {
      if (code !== 0) fail(new Error(`a transform thread exited with code ${code}`))
    })
    return slot
  })
  if (workers.some((w) => w.threadId === -1)) {
    fail(new Error('a transform thread ended before its first batch'))
  }

  return {
    run(plan, raw) {
      if (failure) return Promise.reject(failure)
      return new Promise((resolve, reject) => {
        queue.push({ id: nextId++, plan, raw, resolve, reject })
        dispatch()
      })
    },
    async close() {
      failure ??= new Error('the transform threads were closed')
      await Promise.all(slots.map((s) => s.worker.terminate()))
    },
  }
}

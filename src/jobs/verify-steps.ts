import type { Readable } from 'node:stream'
import type { Config } from '../config/load-config.js'
import { AppError } from '../errors.js'
import type { PlannedTable } from '../rules/check-rules.js'
import type { Manifest, Verification } from '../snapshot/manifest.js'

/** What the leak scan sees: the finished dump, inside the run's own exported snapshot. */
export interface LeakScanInput {
  config: Config
  /** The exported snapshot the dump was taken in: originals are sampled inside it. */
  snapshot: string
  tables: PlannedTable[]
  /** Read the stored, still invisible dump from the start. */
  readBack: () => Promise<Readable>
  signal: AbortSignal
}

/** What the test restore sees: the stored, still invisible dump and its manifest-to-be. */
export interface RestoreInput {
  config: Config
  manifest: Manifest
  readBack: () => Promise<Readable>
  signal: AbortSignal
}

/**
 * A check before publishing resolves `passed`, or `skipped` with the reason it
 * could not run here. A dump that fails it is an AppError whose message names
 * what failed (`leak_found` in table.column, the restore's failing statement).
 */
export type StepResult = { passed: true } | { skipped: string }

export interface Verifiers {
  /** Restore into a scratch database and compare row counts with the manifest. */
  restore: (input: RestoreInput) => Promise<StepResult>
  /** Look for original values sampled from the source in the dump. */
  leakScan: (input: LeakScanInput) => Promise<StepResult>
}

/** A step this build or machine cannot run; `auto` records why, `required` fails. */
export function unavailableStep(reason: string): () => Promise<StepResult> {
  return async () => ({ skipped: reason })
}

/** `verify.leakScan`: off, or run (a failure throws; it cannot be skipped once on). */
export async function leakScanStep(
  verifiers: Verifiers,
  input: LeakScanInput,
  note: (message: string) => void,
): Promise<Pick<Verification, 'leakScan' | 'notes'>> {
  if (input.config.verify.leakScan === 'off') return { leakScan: 'off', notes: [] }
  const result = await verifiers.leakScan(input)
  if ('passed' in result) return { leakScan: 'passed', notes: [] }
  note(`leak scan skipped: ${result.skipped}`)
  return { leakScan: 'skipped', notes: [`leak scan skipped: ${result.skipped}`] }
}

/** `verify.restore`: off; `auto` runs it when it can and says when it cannot; `required` fails then. */
export async function restoreStep(
  verifiers: Verifiers,
  input: RestoreInput,
  note: (message: string) => void,
): Promise<Pick<Verification, 'restore' | 'notes'>> {
  const policy = input.config.verify.restore
  if (policy === 'off') return { restore: 'off', notes: [] }
  const result = await verifiers.restore(input)
  if ('passed' in result) return { restore: 'passed', notes: [] }
  if (policy === 'required') {
    throw new AppError(
      'verify_unavailable',
      `verify.restore is required, but the test restore cannot run: ${result.skipped}. Nothing was published.`,
    )
  }
  note(`test restore skipped: ${result.skipped}`)
  return { restore: 'skipped', notes: [`test restore skipped: ${result.skipped}`] }
}

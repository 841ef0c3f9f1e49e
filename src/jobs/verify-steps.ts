import type { Readable } from 'node:stream'
import type { Config } from '../config/load-config.js'
import { AppError } from '../errors.js'
import type { Manifest, Verification } from '../snapshot/manifest.js'

/** What a verify step sees: the finished, still invisible dump and its manifest-to-be. */
export interface VerifyInput {
  config: Config
  manifest: Manifest
  /** Read the stored dump from the start; call once per reader. */
  readBack: () => Promise<Readable>
  signal: AbortSignal
  /** A line for the job log and progress (`restoring into a scratch database`). */
  note: (message: string) => void
}

/**
 * One check before publishing. Resolves `passed`, or `skipped` with the reason
 * it could not run here; a dump that fails the check is an AppError
 * (`verify_failed`) whose message names what failed.
 */
export type VerifyStep = (input: VerifyInput) => Promise<{ passed: true } | { skipped: string }>

export interface Verifiers {
  /** Restore into a scratch database and compare row counts with the manifest. */
  restore: VerifyStep
  /** Look for original values sampled from the source in the dump. */
  leakScan: VerifyStep
}

/** A step this build or machine cannot run; `auto` records why, `required` fails. */
export function unavailableStep(reason: string): VerifyStep {
  return async () => ({ skipped: reason })
}

/**
 * Run the configured checks in order (restore, then leak scan) and say what was
 * verified. Throws when a check fails, or when a required one cannot run.
 */
export async function runVerifiers(
  verifiers: Verifiers,
  input: VerifyInput,
): Promise<Verification> {
  const policy = input.config.verify
  const verification: Verification = { restore: 'off', leakScan: 'off', notes: [] }
  if (policy.restore !== 'off') {
    const result = await verifiers.restore(input)
    if ('skipped' in result) {
      if (policy.restore === 'required') {
        throw new AppError(
          'verify_unavailable',
          `verify.restore is required, but the test restore cannot run: ${result.skipped}. Nothing was published.`,
        )
      }
      verification.restore = 'skipped'
      verification.notes.push(`test restore skipped: ${result.skipped}`)
      input.note(`test restore skipped: ${result.skipped}`)
    } else {
      verification.restore = 'passed'
    }
  }
  if (policy.leakScan === 'on') {
    const result = await verifiers.leakScan(input)
    if ('skipped' in result) {
      verification.leakScan = 'skipped'
      verification.notes.push(`leak scan skipped: ${result.skipped}`)
      input.note(`leak scan skipped: ${result.skipped}`)
    } else {
      verification.leakScan = 'passed'
    }
  }
  return verification
}

import { type Config, requireSourceUrl } from '../config/load-config.js'
import { assertNoLeaks, verifyDump } from '../verify/verify-dump.js'
import { unavailableStep, type Verifiers } from './verify-steps.js'

/**
 * The checks the publish pipeline runs before a manifest is written: the leak
 * scan (the engine's verify step, as `snapshot --verify` runs it) and the test
 * restore (the restore loader).
 */
export function createVerifiers(config: Config): Verifiers {
  return {
    restore: unavailableStep('this build has no test restore yet'),
    async leakScan({ snapshot, tables, readBack }) {
      const report = await verifyDump({
        url: requireSourceUrl(config),
        snapshot,
        tables,
        openDump: readBack,
      })
      assertNoLeaks(report, 'The snapshot')
      return { passed: true }
    },
  }
}

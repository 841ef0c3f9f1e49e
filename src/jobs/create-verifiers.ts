import { type Config, requireSourceUrl } from '../config/load-config.js'
import { assertNoLeaks, verifyDump } from '../verify/verify-dump.js'
import { createTestRestore } from './test-restore.js'
import type { Verifiers } from './verify-steps.js'

/**
 * The checks the publish pipeline runs before a manifest is written: the leak
 * scan (the engine's verify step, as `snapshot --verify` runs it) and the test
 * restore (the restore loader).
 */
export function createVerifiers(config: Config): Verifiers {
  return {
    restore: createTestRestore(config),
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

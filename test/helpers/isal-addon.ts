import { join } from 'node:path'
import { describe } from 'vitest'
import { defaultNativeDir, isalAddonFile, loadIsalGzip } from '../../src/snapshot/isal-gzip.js'

/** The addon `npm run build` made (dist/native/isal-gzip.node). */
export const isalAddonPath = join(defaultNativeDir(), isalAddonFile)

/**
 * For tests of the ISA-L fast path: skipped on a machine where the build could not
 * make the addon (no ISA-L, no compiler), never in CI (.ci/run installs ISA-L), where
 * a missing addon must fail them.
 */
export const describeWithIsal =
  'addon' in loadIsalGzip(isalAddonPath) || process.env.CI ? describe : describe.skip

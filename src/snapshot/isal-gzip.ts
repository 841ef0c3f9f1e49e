import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

/** The ISA-L addon (native/isal-gzip/isal-gzip.c, built into dist/native by `npm run build`). */
export interface IsalGzip {
  /** One complete gzip member of `input` at `level` (0 to `maxLevel`). */
  gzip(input: Uint8Array, level: number): Buffer<ArrayBuffer>
  maxLevel: number
}

export const isalAddonFile = 'isal-gzip.node'

/** dist/native: next to this module's folder (dist/), or the build's when running from src/ (vitest). */
export function defaultNativeDir(): string {
  const relative = import.meta.url.endsWith('.ts') ? '../../dist/native/' : '../native/'
  return fileURLToPath(new URL(relative, import.meta.url))
}

/**
 * Load the addon from `path`: the addon, or why it cannot be used. Each thread
 * loads its own instance (the addon keeps its buffers per thread).
 */
export function loadIsalGzip(
  path: string,
): { addon: IsalGzip } | { missing: string; present: boolean } {
  if (!existsSync(path)) return { missing: `is not built (no ${path})`, present: false }
  try {
    const addon = createRequire(import.meta.url)(path) as IsalGzip
    if (typeof addon.gzip !== 'function')
      return { missing: `at ${path} has no gzip function`, present: true }
    return { addon }
  } catch (err) {
    return { missing: `at ${path} does not load: ${(err as Error).message}`, present: true }
  }
}

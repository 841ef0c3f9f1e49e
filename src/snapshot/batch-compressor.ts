import { join } from 'node:path'
import { promisify } from 'node:util'
import { gzip, gzipSync } from 'node:zlib'
import { AppError } from '../errors.js'
import { batchGzipOptions, batchIsalLevel } from './gzip-options.js'
import { defaultNativeDir, isalAddonFile, loadIsalGzip } from './isal-gzip.js'

const gzipAsync = promisify(gzip)

/** `snapshot.compressor`: ISA-L when its addon is built (`auto`), always (`isa-l`), or never (`zlib`). */
export type CompressorChoice = 'auto' | 'isa-l' | 'zlib'

/** What compresses each batch: recorded in the manifest (without the addon's path). */
export interface BatchCompression {
  name: 'isa-l' | 'zlib'
  level: number
  /** isa-l: the addon file each thread loads. */
  addon?: string
  /** auto, zlib chosen although the addon file is there: why it did not load (a warning). */
  fallback?: string
}

/**
 * Resolve `snapshot.compressor` before any row moves: `isa-l` without a working
 * addon is a setup error that says how to fix it. `nativeDir` is the folder
 * that holds isal-gzip.node (default: dist/native).
 */
export function chooseCompression(
  choice: CompressorChoice,
  nativeDir: string = defaultNativeDir(),
): BatchCompression {
  const zlib: BatchCompression = { name: 'zlib', level: batchGzipOptions.level ?? 1 }
  if (choice === 'zlib') return zlib
  const addon = join(nativeDir, isalAddonFile)
  const loaded = loadIsalGzip(addon)
  if ('addon' in loaded) return { name: 'isa-l', level: batchIsalLevel, addon }
  if (choice === 'auto') {
    // No addon built is the expected case without ISA-L; one that is there but does not
    // load (a libisal missing at run time) is a slowdown worth saying.
    return loaded.present ? { ...zlib, fallback: `the ISA-L addon ${loaded.missing}` } : zlib
  }
  throw new AppError(
    'config_invalid',
    `snapshot.compressor is isa-l, but the ISA-L addon ${loaded.missing}. Install ISA-L (Debian/Ubuntu: apt-get install libisal-dev; macOS: brew install isa-l) and a C compiler, run npm run build, or set snapshot.compressor to auto or zlib in dumpling.yml.`,
  )
}

/** Compress one batch into one gzip member, on this thread (`sync`) or off it where it can (`async`). */
export interface BatchCompressor {
  sync(block: Uint8Array): Buffer<ArrayBuffer>
  async(block: Uint8Array): Promise<Buffer<ArrayBuffer>>
}

export function createBatchCompressor(compression: BatchCompression): BatchCompressor {
  if (compression.name === 'zlib') {
    return {
      sync: (block) => gzipSync(block, batchGzipOptions),
      async: (block) => gzipAsync(block, batchGzipOptions),
    }
  }
  const loaded = loadIsalGzip(compression.addon ?? join(defaultNativeDir(), isalAddonFile))
  if (!('addon' in loaded)) throw new Error(`the ISA-L addon ${loaded.missing}`)
  const { addon } = loaded
  const sync = (block: Uint8Array) => addon.gzip(block, compression.level)
  return { sync, async: async (block) => sync(block) }
}

/** `ISA-L level 2`, `zlib level 1`: for the summary line. */
export function compressionLabel(compression: Pick<BatchCompression, 'name' | 'level'>): string {
  return `${compression.name === 'isa-l' ? 'ISA-L' : 'zlib'} level ${compression.level}`
}

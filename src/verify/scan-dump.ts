import type { Readable, TransformOptions } from 'node:stream'
import { createGunzip, type ZlibOptions } from 'node:zlib'
import { createDumpScanner, type OnMatch } from './dump-scanner.js'
import type { PrefixIndex } from './prefix-index.js'

/**
 * Stream a gzipped dump (any number of members back to back, as Dumpling
 * writes them) once through the scanner. Memory stays flat: only one chunk
 * and a pattern's length of look-behind are held. Returns the uncompressed bytes.
 */
export async function scanDump(
  file: Readable,
  index: PrefixIndex,
  onMatch: OnMatch,
): Promise<number> {
  const scanner = createDumpScanner(index, onMatch)
  // Decompression runs on the thread pool: a deep read-ahead lets it work while this thread scans.
  // (zlib passes stream options on to its Transform; its types omit them.)
  const options: ZlibOptions & TransformOptions = {
    chunkSize: 1 << 18,
    readableHighWaterMark: 1 << 22,
  }
  const gunzip = createGunzip(options)
  file.on('error', (err) => gunzip.destroy(err))
  file.pipe(gunzip)
  for await (const chunk of gunzip) scanner.write(chunk as Buffer)
  scanner.end()
  return scanner.bytes
}

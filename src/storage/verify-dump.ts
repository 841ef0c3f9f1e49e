import { createHash } from 'node:crypto'
import { Transform } from 'node:stream'
import { AppError } from '../errors.js'
import type { Manifest } from '../snapshot/manifest.js'

/**
 * Passes the dump through and fails at its end if its size or sha256 differ
 * from the manifest's: a reader never mistakes a damaged dump for a good one.
 */
export function verifyDump(manifest: Manifest): Transform {
  const hash = createHash('sha256')
  let bytes = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk)
      bytes += chunk.length
      done(null, chunk)
    },
    flush(done) {
      const sha256 = hash.digest('hex')
      if (bytes === manifest.dump.bytes && sha256 === manifest.dump.sha256) return done()
      done(
        new AppError(
          'checksum_mismatch',
          `Snapshot ${manifest.id}: the stored dump (${bytes} bytes, sha256 ${sha256.slice(0, 12)}…) does not match its manifest (${manifest.dump.bytes} bytes, sha256 ${manifest.dump.sha256.slice(0, 12)}…). It was damaged or replaced: use another snapshot (dumpling list) or take a new one.`,
        ),
      )
    },
  })
}

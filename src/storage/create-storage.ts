import type { Config } from '../config/load-config.js'
import type { Logger } from '../logger.js'
import { s3Location } from './keys.js'
import { createLazyStorage } from './lazy-storage.js'
import { createLocalStorage } from './local-storage.js'
import type { SnapshotStorage } from './storage.js'

/**
 * The storage the config names: a local folder (the default) or an S3 bucket. `log`
 * hears (at warn) when S3's fast path for small objects turns off or pauses.
 */
export function createStorage(
  config: Pick<Config, 'storage' | 'linkSecret'>,
  log?: Logger,
): SnapshotStorage {
  const storage = config.storage
  switch (storage.kind) {
    case 'local':
      return createLocalStorage({ ...storage, linkSecret: config.linkSecret })
    case 's3':
      return createLazyStorage(s3Location(storage.bucket, storage.prefix), async () =>
        (await import('./s3-storage.js')).createS3Storage({ ...storage, log }),
      )
  }
}

import { storeSnapshot } from '../snapshot/store-snapshot.js'
import type { TakeSnapshot } from './in-process-jobs.js'

/** The engine streaming straight into the storage, then retention (issue 4's storeSnapshot). */
export const snapshotIntoStorage: TakeSnapshot = async ({ config, storage, signal, onEvent }) =>
  (await storeSnapshot({ config, storage, signal, onEvent })).manifest

export { createStorage } from './create-storage.js'
export { createDownloadHandler, type DownloadHandlerOptions } from './download-handler.js'
export { contentDisposition, downloadFilename, isSnapshotId } from './keys.js'
export type { RetentionPolicy, SnapshotStorage, SnapshotUpload } from './storage.js'

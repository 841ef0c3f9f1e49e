import type { SnapshotStorage } from './storage.js'

/**
 * A storage whose backend module loads on first use. The AWS SDK costs about
 * 30 MB of RSS once loaded: local storage and `--output` runs should not pay it.
 */
export function createLazyStorage(
  where: string,
  load: () => Promise<SnapshotStorage>,
): SnapshotStorage {
  let loading: Promise<SnapshotStorage> | null = null
  const get = () => {
    loading ??= load()
    return loading
  }
  return {
    describe: () => where,
    check: async () => (await get()).check(),
    beginSnapshot: async (id) => (await get()).beginSnapshot(id),
    list: async () => (await get()).list(),
    latest: async () => (await get()).latest(),
    getManifest: async (id) => (await get()).getManifest(id),
    openDump: async (id) => (await get()).openDump(id),
    createLink: async (id, seconds) => (await get()).createLink(id, seconds),
    createLinkTo: async (manifest, seconds) => (await get()).createLinkTo(manifest, seconds),
    applyRetention: async (policy, now) => (await get()).applyRetention(policy, now),
    putAuditObject: async (key, body) => (await get()).putAuditObject(key, body),
    putJobObject: async (name, body) => (await get()).putJobObject(name, body),
    readJobObject: async (name) => (await get()).readJobObject(name),
  }
}

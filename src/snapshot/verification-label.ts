import type { Manifest } from './manifest.js'

/** `restore-tested, leak-scanned`, or what was not done: for `/dump latest` and status. */
export function verificationLabel(manifest: Pick<Manifest, 'verified'>): string {
  const v = manifest.verified
  if (!v) return 'not verified'
  const restore = v.restore === 'passed' ? 'restore-tested' : 'not restore-tested'
  const scan = v.leakScan === 'passed' ? 'leak-scanned' : 'not leak-scanned'
  return `${restore}, ${scan}`
}

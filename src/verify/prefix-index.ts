/** Every pattern is at least this long: the index keys on its first `prefixBytes` bytes. */
export const prefixBytes = 6
/** 2^20 bits = 128 KB: small enough to stay in cache, which matters more than its false hits. */
const filterBits = 20

/**
 * Many byte patterns indexed by their first bytes, for a scan that keeps a
 * rolling 4-byte window over the text. A bitset of hashed 4-byte windows
 * rejects almost every position with one multiply and one array read; only a
 * set bit reads six bytes and looks up the patterns that start with them.
 *
 * Why not an Aho–Corasick automaton: with 1,000 values from each of 30–40
 * columns (~1 MB of pattern bytes) a dense byte DFA needs hundreds of MB, and
 * a sparse one costs a map lookup per byte. Every pattern here is at least six
 * bytes, which is what makes a fixed-width prefix filter work.
 */
export interface PrefixIndex {
  patterns: readonly Buffer[]
  /** Longest pattern, in bytes: how far a match can reach past its start. */
  maxLength: number
  /** Bit per hashed 4-byte window. */
  filter: Int32Array
  /** First six bytes as a number → indexes into `patterns`. */
  byPrefix: Map<number, number[]>
}

/** The filter slot of a 4-byte window (big-endian, as the scan shifts bytes in). */
export function windowSlot(window: number): number {
  return Math.imul(window, 0x9e3779b1) >>> (32 - filterBits)
}

export function createPrefixIndex(patterns: readonly Buffer[]): PrefixIndex {
  const filter = new Int32Array(1 << (filterBits - 5))
  const byPrefix = new Map<number, number[]>()
  let maxLength = prefixBytes
  patterns.forEach((p, index) => {
    if (p.length < prefixBytes) {
      throw new Error(`pattern ${index} is shorter than ${prefixBytes} bytes`)
    }
    const slot = windowSlot(p.readInt32BE(0))
    filter[slot >>> 5] = (filter[slot >>> 5] as number) | (1 << (slot & 31))
    const key = p.readUIntBE(0, prefixBytes)
    const list = byPrefix.get(key)
    if (list) list.push(index)
    else byPrefix.set(key, [index])
    if (p.length > maxLength) maxLength = p.length
  })
  return { patterns, maxLength, filter, byPrefix }
}

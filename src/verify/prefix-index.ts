/** Every pattern is at least this long: the index keys on its first `prefixBytes` bytes. */
export const prefixBytes = 6
const filterBits = 22

/**
 * Many byte patterns indexed by their first six bytes, for a scan that keeps a
 * rolling 48-bit window (`hi`: 2 bytes, `lo`: 4 bytes) over the text. A bitset
 * of hashed windows rejects almost every position with one array read; only a
 * set bit looks up the patterns that start with exactly those six bytes.
 *
 * Why not an Aho–Corasick automaton: with 1,000 values from each of 30–40
 * columns (~1 MB of pattern bytes) a dense byte DFA needs hundreds of MB, and
 * a sparse one costs a map lookup per byte. Every pattern here is at least six
 * bytes, which is exactly what makes a fixed-width prefix filter work.
 */
export interface PrefixIndex {
  patterns: readonly Buffer[]
  /** Longest pattern, in bytes: how far a match can reach past its start. */
  maxLength: number
  /** Bit per hashed window. */
  filter: Int32Array
  /** Window as a number (`hi * 2^32 + lo`) → indexes into `patterns`. */
  byPrefix: Map<number, number[]>
}

/** The filter slot of a window. */
export function windowSlot(hi: number, lo: number): number {
  return (Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi + 0x7f4a7c15, 0x85ebca77)) >>> (32 - filterBits)
}

export function windowKey(hi: number, lo: number): number {
  return hi * 4294967296 + (lo >>> 0)
}

export function createPrefixIndex(patterns: readonly Buffer[]): PrefixIndex {
  const filter = new Int32Array(1 << (filterBits - 5))
  const byPrefix = new Map<number, number[]>()
  let maxLength = prefixBytes
  patterns.forEach((p, index) => {
    if (p.length < prefixBytes) throw new Error(`pattern ${index} is shorter than ${prefixBytes} bytes`)
    const hi = (p[0] as number) * 256 + (p[1] as number)
    const lo = p.readInt32BE(2)
    const slot = windowSlot(hi, lo)
    filter[slot >>> 5] = (filter[slot >>> 5] as number) | (1 << (slot & 31))
    const key = windowKey(hi, lo)
    const list = byPrefix.get(key)
    if (list) list.push(index)
    else byPrefix.set(key, [index])
    if (p.length > maxLength) maxLength = p.length
  })
  return { patterns, maxLength, filter, byPrefix }
}

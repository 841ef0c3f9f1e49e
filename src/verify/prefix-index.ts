/** Every pattern is at least this long: four aligned 4-byte windows fit in its first seven bytes. */
export const minPatternBytes = 7
/** Candidates are looked up by their first six bytes. */
export const prefixBytes = 6
const filterBits = 19

/**
 * Many byte patterns, indexed for a scan that reads the text as aligned 4-byte
 * words. A pattern starting at `s` covers exactly one aligned word at offset
 * 0–3 of its first seven bytes, so each pattern is filed under the hashes of
 * its words at offsets 0, 1, 2 and 3, with the offset as a bit. One multiply
 * and one read of a 512 KB table per four bytes reject almost all the text;
 * a set bit names the start to check, whose first six bytes find the patterns.
 *
 * Why not an Aho–Corasick automaton: with 1,000 values from each of 30–40
 * columns (~1 MB of pattern bytes) a dense byte DFA needs hundreds of MB, and
 * a sparse one costs a map lookup per byte.
 */
export interface PrefixIndex {
  patterns: readonly Buffer[]
  /** Longest pattern, in bytes: how far a match can reach past its start. */
  maxLength: number
  /** Per hashed word: bit o set when some pattern has that word at offset o. */
  filter: Uint8Array
  /** First six bytes as a number → indexes into `patterns`. */
  byPrefix: Map<number, number[]>
}

/** The filter slot of a 4-byte word read little-endian. */
export function wordSlot(word: number): number {
  return Math.imul(word, 0x9e3779b1) >>> (32 - filterBits)
}

export function createPrefixIndex(patterns: readonly Buffer[]): PrefixIndex {
  const filter = new Uint8Array(1 << filterBits)
  const byPrefix = new Map<number, number[]>()
  let maxLength = minPatternBytes
  patterns.forEach((p, index) => {
    if (p.length < minPatternBytes) {
      throw new Error(`pattern ${index} is shorter than ${minPatternBytes} bytes`)
    }
    for (let offset = 0; offset < 4; offset++) {
      const slot = wordSlot(p.readInt32LE(offset))
      filter[slot] = (filter[slot] as number) | (1 << offset)
    }
    const key = p.readUIntBE(0, prefixBytes)
    const list = byPrefix.get(key)
    if (list) list.push(index)
    else byPrefix.set(key, [index])
    if (p.length > maxLength) maxLength = p.length
  })
  return { patterns, maxLength, filter, byPrefix }
}

const base32Alphabet = 'abcdefghijklmnopqrstuvwxyz234567'

/**
 * The first `chars` base32 characters (5 bits each, lowercase) of a digest.
 * Lowercase only, so values stay distinct under case-insensitive comparison
 * (citext, `lower(email)` indexes).
 */
export function base32(digest: Buffer, chars: number): string {
  let out = ''
  let bits = 0
  let acc = 0
  let i = 0
  while (out.length < chars) {
    if (bits < 5) {
      acc = ((acc << 8) | (digest[i++ % digest.length] ?? 0)) & 0xffff
      bits += 8
    }
    out += base32Alphabet[(acc >> (bits - 5)) & 31]
    bits -= 5
  }
  return out
}

/** An unsigned 32-bit integer read from the digest at `offset` (0..28). */
export function uint32(digest: Buffer, offset = 0): number {
  return digest.readUInt32BE(offset)
}

/** A float in [0, 1) from 32 bits of the digest at `offset`. */
export function unitFloat(digest: Buffer, offset = 0): number {
  return digest.readUInt32BE(offset) / 0x1_0000_0000
}

/** The item of `list` chosen by 32 bits of the digest at `offset`. */
export function pick<T>(list: readonly T[], digest: Buffer, offset = 0): T {
  const item = list[digest.readUInt32BE(offset) % list.length]
  if (item === undefined) throw new Error('pick from an empty list')
  return item
}

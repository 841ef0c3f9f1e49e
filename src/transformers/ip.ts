import { isIPv4, isIPv6 } from 'node:net'
import { z } from 'zod'
import { type ByteSink, defineTransformer, withBytes } from './transformer.js'

const prefixPattern = /^\/(\d{1,3})$/

/** A keyed address of the same family; a `/prefix` suffix is kept. */
export const ip = defineTransformer({
  description: 'A keyed IP address of the same family (v4 or v6), keeping any /prefix.',
  accepts: ['inet', 'text'],
  unique: false,
  nullable: false,
  copySafe: true,
  options: z.object({}).strict(),
  create(_options, ctx) {
    const digest = ctx.digest('ip')
    // cidr refuses bits set right of the mask; inet keeps any host bits.
    const zeroHostBits = ctx.column.type === 'cidr'
    const fn = (value: string): string => {
      const slash = value.indexOf('/')
      const address = slash < 0 ? value : value.slice(0, slash)
      const suffix = slash < 0 ? '' : value.slice(slash)
      const bits = suffix === '' ? undefined : Number(prefixPattern.exec(suffix)?.[1] ?? Number.NaN)
      const v6 = isIPv6(address)
      const valid = (v6 || isIPv4(address)) && (bits === undefined || bits <= (v6 ? 128 : 32))
      if (!valid) return formatV4(digest(value)) // text that is not an address
      // The address alone is hashed, so a host maps alike with or without a prefix.
      let bytes = digest(address)
      if (zeroHostBits && bits !== undefined) bytes = masked(bytes.subarray(0, v6 ? 16 : 4), bits)
      return (v6 ? formatV6(bytes) : formatV4(bytes)) + suffix
    }
    return withBytes(fn, (src, start, end, out) => {
      // A plain dotted quad (as PostgreSQL writes one) here; anything else by the string function.
      if (!isDottedQuad(src, start, end)) {
        out.writeString(fn(src.toString('latin1', start, end)))
        return
      }
      const d = digest.bytes(src, start, end)
      writeDecimal(d[0] ?? 0, out)
      out.writeByte(DOT)
      writeDecimal(d[1] ?? 0, out)
      out.writeByte(DOT)
      writeDecimal(d[2] ?? 0, out)
      out.writeByte(DOT)
      writeDecimal(d[3] ?? 0, out)
    })
  },
})

function formatV4(b: Buffer): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`
}

/** All eight groups, four digits each: valid for every consumer, no `::` rules to get wrong. */
function formatV6(b: Buffer): string {
  const h = b.toString('hex', 0, 16)
  let out = h.slice(0, 4)
  for (let i = 4; i < 32; i += 4) out += `:${h.slice(i, i + 4)}`
  return out
}

/** A copy of `bytes` with every bit after the first `bits` cleared. */
function masked(bytes: Buffer, bits: number): Buffer {
  const out = Buffer.from(bytes)
  for (let i = 0; i < out.length; i++) {
    const keep = Math.min(Math.max(bits - i * 8, 0), 8)
    out[i] = (out[i] ?? 0) & (0xff << (8 - keep)) & 0xff
  }
  return out
}

const DOT = 46

/** Four decimals 0-255 without leading zeros, joined by dots: what `isIPv4` accepts. */
function isDottedQuad(src: Buffer, start: number, end: number): boolean {
  let i = start
  for (let part = 0; part < 4; part++) {
    if (part > 0 && src[i++] !== DOT) return false
    const first = i
    let n = 0
    while (i < end && i - first < 4) {
      const c = (src[i] as number) - 48
      if (c < 0 || c > 9) break
      n = n * 10 + c
      i++
    }
    const length = i - first
    if (length === 0 || length > 3 || n > 255 || (length > 1 && src[first] === 48)) return false
  }
  return i === end
}

/** A byte as decimal digits. */
function writeDecimal(b: number, out: ByteSink): void {
  if (b >= 100) out.writeByte(48 + Math.floor(b / 100))
  if (b >= 10) out.writeByte(48 + (Math.floor(b / 10) % 10))
  out.writeByte(48 + (b % 10))
}

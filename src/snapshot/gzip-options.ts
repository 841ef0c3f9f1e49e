import type { ZlibOptions } from 'node:zlib'

/**
 * How each batch's gzip member is made with Node's zlib. Level 1 as `gzip -1`
 * (compression is most of the baseline's cost); memLevel 9 (zlib's default is
 * 8) doubles the hash table and literal buffer, ~128 KiB more per compression,
 * and cost 12 % less CPU on the bench's COPY text for the same output size
 * (26.7 MB from 64 MB either way). The strategy stays the default: Z_RLE and
 * Z_HUFFMAN_ONLY are faster but make the dump much larger.
 */
export const batchGzipOptions: ZlibOptions = { level: 1, memLevel: 9 }

/**
 * The ISA-L level (isal-gzip addon) of each batch's gzip member: see the
 * README's Benchmark section for the measurement that chose it.
 */
export const batchIsalLevel = 2

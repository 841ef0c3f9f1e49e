import { sipHashWasm } from './siphash-wasm.js'

/**
 * SipHash-2-4 (Aumasson & Bernstein), as the reference `siphash.c` computes
 * it: a keyed pseudo-random function made for short inputs. It runs in a small
 * WebAssembly module (siphash.wat) with native 64-bit arithmetic: about a
 * fifth of the cost of the JavaScript version it replaced, which kept every
 * lane as two int32 halves.
 */

interface SipHashExports {
  memory: WebAssembly.Memory
  sip(key: number, input: number, length: number, out: number, words: number): void
  digest(slot: number, input: number, length: number): void
}

const instance = new WebAssembly.Instance(
  new WebAssembly.Module(Buffer.from(sipHashWasm, 'base64')),
  {},
)
const wasm = instance.exports as unknown as SipHashExports
/** The module's memory never grows (siphash.wat), so this view stays valid. */
const memory = Buffer.from(wasm.memory.buffer)

/** Bytes of the input area at the start of the module's memory. */
const sipInputBytes = 2048
/** Where the input to hash is written before a call. */
export const sipInput: Buffer = memory.subarray(0, sipInputBytes)
const stageBytes = 131_072
const stage = memory.subarray(sipInputBytes, sipInputBytes + stageBytes)
const slotBytes = 48
const firstSlot = sipInputBytes + stageBytes
const slotCount = Math.floor((memory.length - firstSlot) / slotBytes)
/** The last slot is scratch for keys without a slot of their own and for `sipHash64/128`. */
const scratchSlot = firstSlot + (slotCount - 1) * slotBytes
let nextSlot = firstSlot

/** 64-bit output words: 1 is SipHash-2-4-64, 2 SipHash-2-4-128, both as in the reference. */
export type SipWords = 1 | 2

/**
 * `bytes` copied into the module's memory (valid until the next call), or
 * `bytes` itself when it is too long: digests hash fields of the copy in
 * place (`SipDigest.runOn`) instead of copying each one.
 */
export function stageForDigests(bytes: Buffer): Buffer {
  if (bytes.length > stageBytes) return bytes
  bytes.copy(stage)
  return stage.subarray(0, bytes.length)
}

/**
 * The keyed digest core of one 16-byte key: `run(length)` hashes
 * `sipInput[0, length)` with SipHash-2-4-128 and expands the result to 32
 * bytes (see keyed-digest.ts), into `out`, which is the same Buffer on every
 * call. `runOn(src, start, end)` hashes `src[start, end)` instead: in place
 * when `src` is in the module's memory (see `stageForDigests`), else copied. Keys get a slot of the module's memory of their own, so `out` is a
 * view on it (no copy); past the last slot (thousands of keys: only tests make
 * that many), each call goes through a scratch slot and is copied out.
 */
export interface SipDigest {
  readonly out: Buffer
  run(length: number): void
  runOn(src: Buffer, start: number, end: number): void
}

/** Up to this many bytes a JavaScript loop copies faster than a native call. */
const shortCopy = 24

/**
 * The last Buffer asked about, and where it starts in the module's memory (-1: not in
 * it): the fields of a segment come one after another from the same Buffer, and the
 * `buffer` getter costs more than this comparison.
 */
let lastSource: Buffer | null = null
let lastOffset = -1

/** Where `src[start, end)` is in the module's memory, copied into the input area if it is not there. */
function placeOf(src: Buffer, start: number, end: number): number {
  if (src !== lastSource) {
    lastSource = src
    lastOffset = src.buffer === memory.buffer ? src.byteOffset : -1
  }
  if (lastOffset >= 0) return lastOffset + start
  const length = end - start
  if (length <= shortCopy) for (let i = 0; i < length; i++) sipInput[i] = src[start + i] as number
  else src.copy(sipInput, 0, start, end)
  return 0
}

/**
 * The slot of each key given a slot so far. A process that compiles rules again for
 * every snapshot (a long-lived serve or Lambda) asks for the same keys each time: they
 * share a slot instead of using up the memory's slots one snapshot at a time.
 */
const slotOfKey = new Map<string, number>()

export function createSipDigest(key: Uint8Array): SipDigest {
  if (key.length !== 16) throw new Error('a SipHash key is 16 bytes')
  const hex = Buffer.from(key.buffer, key.byteOffset, 16).toString('hex')
  let slot = slotOfKey.get(hex)
  if (slot === undefined && nextSlot < scratchSlot) {
    slot = nextSlot
    nextSlot += slotBytes
    memory.set(key, slot)
    slotOfKey.set(hex, slot)
  }
  if (slot !== undefined) {
    const at = slot
    return {
      out: memory.subarray(at + 16, at + 48),
      run: (length) => wasm.digest(at, 0, length),
      runOn: (src, start, end) => wasm.digest(at, placeOf(src, start, end), end - start),
    }
  }
  const own = Buffer.from(key)
  const out = Buffer.alloc(32)
  return {
    out,
    run(length) {
      memory.set(own, scratchSlot)
      wasm.digest(scratchSlot, 0, length)
      memory.copy(out, 0, scratchSlot + 16, scratchSlot + 48)
    },
    runOn(src, start, end) {
      memory.set(own, scratchSlot)
      wasm.digest(scratchSlot, placeOf(src, start, end), end - start)
      memory.copy(out, 0, scratchSlot + 16, scratchSlot + 48)
    },
  }
}

/** SipHash-2-4-64 of `message` under a 16-byte key: 8 bytes, as the reference writes them. */
export function sipHash64(key: Uint8Array, message: Uint8Array): Uint8Array {
  return sipHashBytes(key, message, 1)
}

/** SipHash-2-4-128 of `message` under a 16-byte key: 16 bytes, as the reference writes them. */
export function sipHash128(key: Uint8Array, message: Uint8Array): Uint8Array {
  return sipHashBytes(key, message, 2)
}

function sipHashBytes(key: Uint8Array, message: Uint8Array, words: SipWords): Uint8Array {
  if (key.length !== 16) throw new Error('a SipHash key is 16 bytes')
  if (message.length > sipInputBytes) throw new Error(`at most ${sipInputBytes} bytes`)
  memory.set(key, scratchSlot)
  memory.set(message, 0)
  wasm.sip(scratchSlot, 0, message.length, scratchSlot + 16, words)
  return Uint8Array.from(memory.subarray(scratchSlot + 16, scratchSlot + 16 + 8 * words))
}

/** `encoder.encodeInto(value, out).written`, without a native call and a result object. */
export function utf8Into(value: string, out: Uint8Array): number {
  let n = 0
  for (let i = 0; i < value.length; i++) {
    let c = value.charCodeAt(i)
    if (c < 0x80) {
      out[n++] = c
      continue
    }
    if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6)
      out[n++] = 0x80 | (c & 63)
      continue
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      // NaN past the end, which fails every comparison: a lone surrogate.
      const next = value.charCodeAt(i + 1)
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00)
        i++
        out[n++] = 0xf0 | (c >> 18)
        out[n++] = 0x80 | ((c >> 12) & 63)
        out[n++] = 0x80 | ((c >> 6) & 63)
        out[n++] = 0x80 | (c & 63)
        continue
      }
      c = 0xfffd
    }
    out[n++] = 0xe0 | (c >> 12)
    out[n++] = 0x80 | ((c >> 6) & 63)
    out[n++] = 0x80 | (c & 63)
  }
  return n
}

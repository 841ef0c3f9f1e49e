import { pick } from './digest-bits.js'
import type { ByteSink } from './transformer.js'
import { handleFirstNames, handleLastNames } from './vocabulary.js'

/**
 * The readable part of a unique handle, "first.last." (with `sep`), chosen by
 * digest bytes 16..23 so it never overlaps the hash bits taken from the start.
 * The last name goes first, then the first name, when `room` is too small.
 */
export function handlePrefix(digest: Buffer, sep: string, room: number): string {
  const first = pick(handleFirstNames, digest, 16)
  const last = pick(handleLastNames, digest, 20)
  if (first.length + last.length + 2 <= room) return `${first}${sep}${last}${sep}`
  return first.length < room ? `${first}${sep}` : ''
}

/** `handlePrefix(digest, sep, room)` appended to `out`, `sep` as its character code. */
export function writeHandlePrefix(digest: Buffer, sep: number, room: number, out: ByteSink): void {
  const first = pick(handleFirstNames, digest, 16)
  const last = pick(handleLastNames, digest, 20)
  const both = first.length + last.length + 2 <= room
  if (!both && first.length >= room) return
  out.writeString(first)
  out.writeByte(sep)
  if (!both) return
  out.writeString(last)
  out.writeByte(sep)
}

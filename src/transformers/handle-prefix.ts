import { pick } from './digest-bits.js'
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

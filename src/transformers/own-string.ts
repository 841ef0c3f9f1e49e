/**
 * A copy of `s` that shares no memory with the string it was cut from. The
 * snapshot decodes each batch of rows as one string and hands transformers
 * slices of it; V8 represents a slice of 13 characters or more as a view of
 * the whole batch, so a cache that keeps such a slice keeps the whole batch
 * (a megabyte) alive. Appending a character and cutting it off again makes
 * V8 flatten the string into fresh memory. Only caches need this, and only
 * when they insert.
 */
export function ownString(s: string): string {
  return s.length < 13 ? s : `${s} `.slice(0, -1)
}

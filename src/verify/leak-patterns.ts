import { escapeCopyValue } from '../snapshot/copy-text.js'
import {
  cities,
  firstNames,
  lastNames,
  legalEntityTypes,
  streetNames,
  words,
} from '../transformers/vocabulary.js'

/** Values shorter than this (in characters) match by chance and prove nothing; the matcher needs 7 bytes. */
export const minValueLength = 7
/** Bytes of a value that are matched: a long value leaks its first 200 bytes first. */
export const maxPatternBytes = 200
/** A value in at least this share of the sampled rows (and 3 rows) is a category, not a person. */
const commonShare = 0.02
const commonWords = new Set(['true', 'false', 'null', 'none', 'unknown', 'undefined', 'n/a'])

/** Why a sampled value is not searched for. */
export type SkipReason = 'short' | 'common' | 'fake'

/** Every word a vocabulary transformer can write: a value made only of these could be a fake. */
const fakeWords = new Set(
  [...firstNames, ...lastNames, ...cities, ...streetNames, ...words, ...legalEntityTypes].flatMap(
    (s) => tokens(s),
  ),
)

function tokens(s: string): string[] {
  return s.split(/[\s.,'’&-]+/).filter((t) => t !== '')
}

/**
 * Whether a sampled original is worth searching for: too short, too common
 * within its column, or made only of words and numbers the fake-value
 * transformers write (a real "Olivia Smith" looks exactly like a fake one).
 */
export function skipReason(value: string, count: number, rows: number): SkipReason | null {
  if (value.length < minValueLength) return 'short'
  if (commonWords.has(value.toLowerCase())) return 'common'
  if (count >= 3 && count >= rows * commonShare) return 'common'
  const parts = tokens(value)
  if (parts.length > 0 && parts.every((t) => /^\d+$/.test(t) || fakeWords.has(t))) return 'fake'
  return null
}

/**
 * The byte strings a value becomes in a plain-SQL dump: COPY text (backslash,
 * tab and newline escaped), a JSON string inside COPY text, and a quoted array
 * element inside COPY text. Case as stored; cut to `maxPatternBytes`.
 */
export function leakPatterns(value: string): Buffer[] {
  const json = JSON.stringify(value).slice(1, -1)
  const element = value.replace(/["\\]/g, '\\$&')
  const forms = new Set([value, json, element].map(escapeCopyValue))
  return [...forms].map((form) => {
    const bytes = Buffer.from(form, 'utf8')
    return bytes.length > maxPatternBytes ? bytes.subarray(0, maxPatternBytes) : bytes
  })
}

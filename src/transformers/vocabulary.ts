import * as lists from './vocabulary-lists.js'

/**
 * Word lists for the fake-value transformers: faker's English locale data,
 * extracted into vocabulary-lists.ts by scripts/extract-vocabulary.mjs (a test
 * checks they still equal the pinned faker's). Faker itself is never loaded,
 * instantiated or seeded: a transformer picks from these arrays with bits of
 * its keyed digest, which is a mapping (value → fake) rather than a seeded
 * sequence, and costs nanoseconds. Loading faker's English locale instead cost
 * each transform thread about 12 MB of memory.
 */

/** Lowercase a–z only, for the name part of emails and usernames. */
const handles = (list: readonly string[]): readonly string[] =>
  Object.freeze(list.map((s) => s.toLowerCase().replace(/[^a-z]/g, '')))

export const firstNames = lists.firstNames
export const lastNames = lists.lastNames
export const cities = lists.cities
/** Street names with their suffix ("Abbey Road", "5th Avenue"). */
export const streetNames = lists.streetNames
export const words = lists.words
/** "Inc", "LLC", "Group", "and Sons". */
export const legalEntityTypes = lists.legalEntityTypes

/** `firstNames` / `lastNames` in the same order, lowercased and stripped to a–z. */
export const handleFirstNames = handles(firstNames)
export const handleLastNames = handles(lastNames)

/**
 * `list` with every item cut to `maxLength` characters (trailing spaces
 * dropped), computed once per column so picking stays a lookup.
 */
export function clipped(list: readonly string[], maxLength: number | null): readonly string[] {
  if (maxLength === null || list.every((s) => s.length <= maxLength)) return list
  return list.map((s) => s.slice(0, maxLength).trimEnd())
}

/** `s` cut to `maxLength` characters, trailing spaces dropped. */
export function clip(s: string, maxLength: number | null): string {
  return maxLength === null || s.length <= maxLength ? s : s.slice(0, maxLength).trimEnd()
}

for (const [name, list] of Object.entries({ firstNames, lastNames, cities, streetNames, words })) {
  // A faker upgrade that moves a list must fail at startup, not pick from nothing.
  if (list.length < 100) throw new Error(`faker locale data has no usable ${name} list`)
}
if (legalEntityTypes.length === 0) throw new Error('faker locale data has no legal entity types')

import { faker } from '@faker-js/faker/locale/en'

/**
 * Word lists for the fake-value transformers, read once from faker's English
 * locale data. Faker itself is never instantiated or seeded: a transformer
 * picks from these arrays with bits of its keyed digest, which is a mapping
 * (value → fake) rather than a seeded sequence, and costs nanoseconds.
 */

/** The strings of a locale entry; locale types are loose and entries may be missing. */
const strings = (list: unknown): string[] =>
  Array.isArray(list) ? list.filter((s): s is string => typeof s === 'string' && s !== '') : []

/** Merged, deduplicated and sorted, so the order does not depend on faker's files. */
const unique = (...lists: unknown[]): readonly string[] =>
  Object.freeze([...new Set(lists.flatMap(strings))].sort())

/** Lowercase a–z only, for the name part of emails and usernames. */
const handles = (list: readonly string[]): readonly string[] =>
  Object.freeze(list.map((s) => s.toLowerCase().replace(/[^a-z]/g, '')))

/**
 * Only the English locale: the package's main entry loads every locale, which
 * costs ~30 MB and ~250 ms in each transform thread.
 */
const en = faker.rawDefinitions

const first = en.person?.first_name
const last = en.person?.last_name

export const firstNames = unique(first?.generic, first?.female, first?.male)
export const lastNames = unique(last?.generic)
export const cities = unique(en.location?.city_name)
/** Street names with their suffix ("Abbey Road", "5th Avenue"). */
export const streetNames = unique(en.location?.street_name)
export const words = unique(en.lorem?.word)
/** "Inc", "LLC", "Group", "and Sons". */
export const legalEntityTypes = unique(en.company?.legal_entity_type)

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

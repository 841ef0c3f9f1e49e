import { faker } from '@faker-js/faker/locale/en'
import { describe, expect, it } from 'vitest'
import * as lists from './vocabulary-lists.js'

/** What scripts/extract-vocabulary.mjs takes from faker: merged, deduplicated, sorted. */
const fromFaker = (...entries: unknown[]): string[] =>
  [
    ...new Set(
      entries.flatMap((list) =>
        Array.isArray(list) ? list.filter((s) => typeof s === 'string' && s !== '') : [],
      ),
    ),
  ].sort()

describe('vocabulary lists', () => {
  it("equal the pinned faker's English lists (after a faker upgrade: run scripts/extract-vocabulary.mjs)", () => {
    const en = faker.rawDefinitions
    const first = en.person?.first_name
    expect(lists.firstNames).toEqual(fromFaker(first?.generic, first?.female, first?.male))
    expect(lists.lastNames).toEqual(fromFaker(en.person?.last_name?.generic))
    expect(lists.cities).toEqual(fromFaker(en.location?.city_name))
    expect(lists.streetNames).toEqual(fromFaker(en.location?.street_name))
    expect(lists.words).toEqual(fromFaker(en.lorem?.word))
    expect(lists.legalEntityTypes).toEqual(fromFaker(en.company?.legal_entity_type))
  })

  it('hold no empty item and no leading or trailing whitespace', () => {
    for (const list of Object.values(lists)) {
      expect(list.length).toBeGreaterThan(0)
      for (const item of list) expect(item).toBe(item.trim())
      expect(list).not.toContain('')
    }
  })
})

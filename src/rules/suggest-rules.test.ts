import { describe, expect, it } from 'vitest'
import { testKey } from '../../test/helpers/compile-for-test.js'
import type { Catalog, Column, Table } from '../db/catalog.js'
import { createCompiler } from '../transformers/index.js'
import { checkRules } from './check-rules.js'
import { sampleKey } from './sample-columns.js'
import { suggestRules } from './suggest-rules.js'

const text = (name: string, more: Partial<Column> = {}): Column => ({
  name,
  kind: 'text',
  type: 'text',
  maxLength: null,
  notNull: false,
  generated: false,
  ...more,
})

function table(name: string, columns: Column[], more: Partial<Table> = {}): Table {
  return {
    oid: 1,
    schema: 'public',
    name,
    qualified: `public.${name}`,
    partitioned: false,
    partitionRoot: null,
    columns,
    uniqueIndexes: [],
    foreignKeys: [],
    bytes: 0,
    ...more,
  }
}

const catalog: Catalog = {
  database: 'app',
  serverVersion: '15',
  serverVersionNum: 150000,
  systemIdentifier: null,
  sequences: [],
  largeObjects: 0,
  tables: [
    table(
      'people',
      [
        text('handle_name', { notNull: true }),
        text('full_name', { notNull: true }),
        text('photo', { kind: 'bytea', type: 'bytea', notNull: true }),
        text('remarks'),
        text('contact'),
        text('code'),
      ],
      { uniqueIndexes: [{ name: 'people_full_name_key', columns: ['full_name'] }] },
    ),
    table('orders', [text('buyer_name')], {
      foreignKeys: [
        {
          name: 'orders_buyer_fkey',
          columns: ['buyer_name'],
          references: 'public.people',
          referencedColumns: ['full_name'],
        },
      ],
    }),
  ],
}

const samples = new Map([
  [sampleKey('public.people', 'contact'), ['a@example.org', 'b@example.org', 'not one']],
  [sampleKey('public.people', 'code'), ['A1', 'B2', 'C3']],
])

describe('suggestRules', () => {
  const compile = createCompiler(testKey)
  const suggestions = suggestRules(catalog, samples, compile)
  const rule = (t: string, c: string) =>
    suggestions.find((s) => s.table === t)?.columns.find((x) => x.name === c)

  it('fits each suggestion to unique indexes, NOT NULL and foreign keys', () => {
    expect(rule('public.people', 'full_name')).toEqual({
      name: 'full_name',
      spec: 'hash',
      why: 'the name matches "full name"; under unique index people_full_name_key, so a unique transformer',
    })
    expect(rule('public.people', 'photo')?.spec).toEqual({ transform: 'const', value: '\\x' })
    expect(rule('public.orders', 'buyer_name')).toMatchObject({
      spec: 'hash',
      why: 'follows foreign key orders_buyer_fkey to public.people.full_name',
    })
  })

  it('reads values when the name says nothing, and keeps the rest without a comment', () => {
    expect(rule('public.people', 'contact')).toMatchObject({
      spec: 'email',
      why: '67 % of 3 sampled values looked like email addresses',
    })
    expect(rule('public.people', 'code')).toEqual({ name: 'code', spec: 'keep', why: null })
  })

  it('passes the rules check as written', () => {
    const rules = {
      tables: Object.fromEntries(
        suggestions.map((s) => [
          s.table,
          {
            data: 'dump' as const,
            columns: Object.fromEntries(s.columns.map((c) => [c.name, c.spec])),
          },
        ]),
      ),
    }
    expect(checkRules(rules, catalog, compile).problems).toEqual([])
  })
})

import { describe, expect, it } from 'vitest'
import { describeSpec, jsonPaths, transformedColumns } from './rule-summary.js'

describe('transformedColumns', () => {
  it('lists the columns a rule transforms, in order, and counts the kept ones', () => {
    const rules = {
      tables: {
        'public.users': { data: 'dump' as const, columns: { id: 'keep', email: 'email' } },
        'public.events': {
          data: 'dump' as const,
          columns: { id: 'keep', payload: { transform: 'json', paths: { '$.ip': 'ip' } } },
        },
      },
    }
    expect(transformedColumns(rules)).toEqual({
      columns: [
        { table: 'public.users', column: 'email', spec: 'email' },
        {
          table: 'public.events',
          column: 'payload',
          spec: { transform: 'json', paths: { '$.ip': 'ip' } },
        },
      ],
      kept: 2,
    })
  })
})

describe('describeSpec', () => {
  it('shows a name, options, and the paths of a json rule', () => {
    expect(describeSpec('email')).toBe('email')
    expect(describeSpec({ transform: 'date', jitterDays: 30 })).toBe('date (jitterDays 30)')
    expect(
      describeSpec({ transform: 'json', paths: { '$.user.email': 'email', '$.ip': 'ip' } }),
    ).toBe('json: $.user.email → email, $.ip → ip')
  })
})

describe('jsonPaths', () => {
  it('gives the paths of a json rule and null for any other', () => {
    expect(jsonPaths({ transform: 'json', paths: { '$.a': 'redact', '$.b.c': 'email' } })).toEqual([
      '$.a',
      '$.b.c',
    ])
    expect(jsonPaths('email')).toBeNull()
    expect(jsonPaths({ transform: 'date' })).toBeNull()
  })
})

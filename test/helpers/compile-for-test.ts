import {
  type ColumnInfo,
  createCompiler,
  type RuleSpec,
  type ValueTransform,
} from '../../src/transformers/index.js'

export const testKey = 'test-key-0123456789abcdef0123456789abcdef'
export const otherKey = 'other-key-0123456789abcdef0123456789abcdef'

/** Column shapes for transformer tests. */
export const columns = {
  text: { kind: 'text', type: 'text', maxLength: null },
  varchar: (n: number): ColumnInfo => ({
    kind: 'text',
    type: `character varying(${n})`,
    maxLength: n,
  }),
  integer: {
    kind: 'integer',
    type: 'integer',
    maxLength: null,
    integerRange: [-2147483648n, 2147483647n],
  },
  bigint: {
    kind: 'integer',
    type: 'bigint',
    maxLength: null,
    integerRange: [-9223372036854775808n, 9223372036854775807n],
  },
  smallint: { kind: 'integer', type: 'smallint', maxLength: null, integerRange: [-32768n, 32767n] },
  numeric: { kind: 'numeric', type: 'numeric', maxLength: null },
  float: { kind: 'float', type: 'double precision', maxLength: null },
  date: { kind: 'date', type: 'date', maxLength: null },
  timestamp: { kind: 'timestamp', type: 'timestamp without time zone', maxLength: null },
  timestamptz: { kind: 'timestamptz', type: 'timestamp with time zone', maxLength: null },
  inet: { kind: 'inet', type: 'inet', maxLength: null },
  uuid: { kind: 'uuid', type: 'uuid', maxLength: null },
  json: { kind: 'json', type: 'jsonb', maxLength: null },
  textArray: {
    kind: 'array',
    type: 'text[]',
    maxLength: null,
    element: { kind: 'text', type: 'text', maxLength: null },
  },
} satisfies Record<string, ColumnInfo | ((n: number) => ColumnInfo)>

/** Compile a rule the way the snapshot engine does, with a fixed test key. */
export function compileFor(
  spec: RuleSpec,
  column: ColumnInfo = columns.text,
  key: string = testKey,
): ValueTransform {
  return createCompiler(key)(spec, column).fn
}

/** `compileFor` for transformers that never return NULL: a NULL fails the test. */
export function compileTextFor(
  spec: RuleSpec,
  column: ColumnInfo = columns.text,
  key: string = testKey,
): (value: string) => string {
  const fn = compileFor(spec, column, key)
  return (value) => {
    const out = fn(value)
    if (out === null) throw new Error(`${JSON.stringify(spec)} returned NULL`)
    return out
  }
}

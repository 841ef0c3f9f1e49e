import type { ColumnInfo, ColumnKind } from '../transformers/index.js'

/** A row of pg_type, as far as kinds need it. */
export interface PgType {
  oid: number
  name: string
  schema: string
  /** 'b' base, 'd' domain, 'e' enum, 'c' composite, 'r' range… */
  typtype: string
  category: string
  baseType: number
  typmod: number
  elementType: number
}

const kindByName: Record<string, ColumnKind> = {
  text: 'text',
  varchar: 'text',
  bpchar: 'text',
  name: 'text',
  citext: 'text',
  int2: 'integer',
  int4: 'integer',
  int8: 'integer',
  numeric: 'numeric',
  float4: 'float',
  float8: 'float',
  date: 'date',
  timestamp: 'timestamp',
  timestamptz: 'timestamptz',
  inet: 'inet',
  cidr: 'inet',
  uuid: 'uuid',
  json: 'json',
  jsonb: 'json',
  bool: 'boolean',
  bytea: 'bytea',
}

const integerRanges: Record<string, readonly [bigint, bigint]> = {
  int2: [-32768n, 32767n],
  int4: [-2147483648n, 2147483647n],
  int8: [-9223372036854775808n, 9223372036854775807n],
}

/**
 * Reduce a column's type to what transformers care about: domains resolve to
 * their base type, varchar/char limits become `maxLength`, arrays carry their
 * element. `display` is the type as `format_type` spells it.
 */
export function columnInfo(
  types: ReadonlyMap<number, PgType>,
  typeOid: number,
  typmod: number,
  display: string,
): ColumnInfo {
  let type = types.get(typeOid)
  let mod = typmod
  for (let depth = 0; type?.typtype === 'd' && depth < 32; depth++) {
    if (mod < 0) mod = type.typmod
    type = types.get(type.baseType)
  }
  if (!type) return { kind: 'other', type: display, maxLength: null }
  if (type.category === 'A' && type.elementType !== 0) {
    const element = types.get(type.elementType)
    return {
      kind: 'array',
      type: display,
      maxLength: null,
      element: columnInfo(types, type.elementType, mod, element?.name ?? 'unknown'),
    }
  }
  const kind = kindByName[type.name] ?? 'other'
  const isCharacter = type.name === 'varchar' || type.name === 'bpchar'
  const info: ColumnInfo = {
    kind,
    type: display,
    maxLength: isCharacter && mod > 4 ? mod - 4 : null,
  }
  const range = integerRanges[type.name]
  if (range) info.integerRange = range
  return info
}

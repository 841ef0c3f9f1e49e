import type { ColumnInfo, RuleSpec } from '../transformers/index.js'
import type { Category } from './name-hints.js'
import type { ValueKind } from './value-hints.js'

const dateKinds = ['date', 'timestamp', 'timestamptz']
const numberKinds = ['integer', 'numeric', 'float']

/** The transformer a category suggests for a column of this shape, or null when none fits. */
export function specForCategory(category: Category, column: ColumnInfo): RuleSpec | null {
  if (column.kind === 'array') {
    if (!column.element) return null
    const each = category === 'tags' ? 'word' : specForCategory(category, column.element)
    return each === null ? null : { transform: 'array', each }
  }
  const { kind } = column
  const text = kind === 'text'
  switch (category) {
    case 'email':
      return text ? 'email' : null
    case 'secret':
      return text ? 'hash' : kind === 'bytea' ? 'null' : null
    case 'governmentId':
      return text ? 'redact' : null
    case 'username':
      return text ? 'username' : null
    case 'firstName':
    case 'lastName':
    case 'fullName':
    case 'phone':
    case 'city':
    case 'postcode':
      return text ? category : null
    case 'street':
      return text ? 'streetAddress' : null
    case 'birth':
      return dateKinds.includes(kind)
        ? { transform: 'date', jitterDays: 30 }
        : text
          ? 'redact'
          : null
    case 'ip':
      return text || kind === 'inet' ? 'ip' : null
    case 'geo':
      return kind === 'numeric' || kind === 'float' ? { transform: 'number', ratio: 0.01 } : null
    case 'money':
      return numberKinds.includes(kind) ? { transform: 'number', ratio: 0.2 } : null
    case 'freeText':
      return text ? 'text' : null
    case 'media':
      return 'null'
    case 'tags':
      return text ? 'word' : null
    case 'company':
      return text ? 'company' : null
    case 'externalId':
      return kind === 'uuid' ? 'uuid' : text ? 'hash' : null
  }
}

/** The transformer for values that look like `kind` (text columns and JSON strings). */
export function specForValueKind(kind: ValueKind): RuleSpec {
  return kind === 'email' || kind === 'phone' || kind === 'ip' ? kind : 'redact'
}

/** A unique-preserving replacement for a column under a unique index, or null. */
export function uniqueSpec(column: ColumnInfo): RuleSpec | null {
  if (column.kind === 'text' && (column.maxLength === null || column.maxLength >= 16)) return 'hash'
  if (column.kind === 'uuid') return 'uuid'
  return null
}

/** A non-NULL replacement for `null` on a NOT NULL column, or null. */
export function notNullSpec(column: ColumnInfo): RuleSpec | null {
  if (column.kind === 'text') return 'redact'
  if (column.kind === 'bytea') return { transform: 'const', value: '\\x' }
  return null
}

import type { ColumnInfo, RuleSpec, TransformerName } from '../transformers/index.js'

/** A realistic rule, column and stream of distinct inputs for one transformer. */
export interface TransformerSample {
  spec: RuleSpec
  column: ColumnInfo
  /** The i-th input; distinct for distinct i, so the memo never answers. */
  input(i: number): string
  /** What one value is, when it is more than one leaf (json, array). */
  unit?: string
  /** Composite transformers cost per leaf; the per-value target does not apply. */
  composite?: boolean
}

const text: ColumnInfo = { kind: 'text', type: 'text', maxLength: null }

const firsts = ['james', 'mary', 'robert', 'patricia', 'chloé', 'josé', 'aiko', 'priya', 'søren']
const lasts = ['smith', 'garcia', 'o-brien', 'müller', 'nguyen', 'kowalski', 'okafor', 'silva']
const domains = ['gmail.com', 'yahoo.com', 'outlook.com', 'acme.io', 'example.org']
const lorem =
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris'.split(
    ' ',
  )

const at = <T>(list: readonly T[], i: number): T => list[i % list.length] as T
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
const emailOf = (i: number) => `${at(firsts, i)}.${at(lasts, i >> 3)}${i}@${at(domains, i >> 6)}`
const nameOf = (i: number) => `${cap(at(firsts, i))} ${cap(at(lasts, i >> 3))}-${i.toString(36)}`
const phoneOf = (i: number) =>
  `+1 (${200 + (i % 800)}) ${String(100 + ((i >> 3) % 900))}-${String(i % 10_000).padStart(4, '0')}`
const sentence = (i: number, words: number) =>
  Array.from({ length: words }, (_, k) => at(lorem, i * 7 + k * 13 + (i >> (k % 5)))).join(' ')

/** PostgreSQL's text output of a timestamptz (DateStyle ISO, UTC). */
const timestampOf = (i: number) =>
  `${new Date(Date.UTC(2020, 0, 1) + i * 7_919_000).toISOString().replace('T', ' ').slice(0, 19)}+00`

/** A shipping document as jsonb prints it (", " and ": "), about 330 bytes, 8 leaves to rewrite. */
const shippingOf = (i: number) =>
  `{"gift": ${i % 7 === 0}, "name": ${JSON.stringify(nameOf(i))}, "email": "${emailOf(i)}", "items": ${1 + (i % 5)}, "phone": "${phoneOf(i)}", "address": {"city": "Springfield", "street": "${1 + (i % 9999)} Oak Avenue", "country": "US", "postcode": "${String(i % 100_000).padStart(5, '0')}"}, "carrier": "UPS", "tracking": "1Z${(i * 2_654_435_761).toString(16).toUpperCase()}", "recipients": [{"name": ${JSON.stringify(nameOf(i + 1))}, "email": "${emailOf(i + 1)}"}]}`

/** Samples for the transformers in the registry; one without a sample is reported as such. */
export const transformerSamples: Partial<Record<TransformerName, TransformerSample>> = {
  keep: { spec: 'keep', column: text, input: (i) => `kept value ${i}` },
  email: { spec: 'email', column: text, input: emailOf },
  firstName: { spec: 'firstName', column: text, input: (i) => `${cap(at(firsts, i))}${i}` },
  lastName: { spec: 'lastName', column: text, input: (i) => `${cap(at(lasts, i))}${i}` },
  fullName: { spec: 'fullName', column: text, input: nameOf },
  username: { spec: 'username', column: text, input: (i) => `${at(firsts, i)}_${i}` },
  phone: { spec: 'phone', column: text, input: phoneOf },
  streetAddress: {
    spec: 'streetAddress',
    column: text,
    input: (i) => `${1 + (i % 9999)} ${cap(at(lorem, i >> 4))} Street, apt ${i >> 10}`,
  },
  city: { spec: 'city', column: text, input: (i) => `${cap(at(lorem, i))}ville ${i}` },
  postcode: {
    spec: 'postcode',
    column: text,
    input: (i) =>
      `${String(i % 100_000).padStart(5, '0')}-${String(1000 + Math.floor(i / 100_000))}`,
  },
  company: { spec: 'company', column: text, input: (i) => `${cap(at(lasts, i))} & Sons ${i} LLC` },
  ip: {
    spec: 'ip',
    column: { kind: 'inet', type: 'inet', maxLength: null },
    input: (i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  },
  uuid: {
    spec: 'uuid',
    column: { kind: 'uuid', type: 'uuid', maxLength: null },
    input: (i) => {
      const h = (i * 2_654_435_761 + 0x1234567).toString(16).padStart(12, '0').slice(-12)
      return `0b7f${h.slice(0, 4)}-9a1c-4e2d-8f3a-${h}`
    },
  },
  number: {
    spec: { transform: 'number', ratio: 0.2 },
    column: { kind: 'numeric', type: 'numeric(12,2)', maxLength: null },
    input: (i) => `${Math.floor(i / 100)}.${String(i % 100).padStart(2, '0')}`,
  },
  date: {
    spec: { transform: 'date', jitterDays: 30 },
    column: { kind: 'timestamptz', type: 'timestamp with time zone', maxLength: null },
    input: timestampOf,
  },
  text: {
    spec: 'text',
    column: text,
    input: (i) => `Hi, I'm ${nameOf(i)}, reach me at ${emailOf(i)}. ${sentence(i, 14)}`,
  },
  redact: {
    spec: 'redact',
    column: text,
    input: (i) => `Prefers calls after 5pm; account ${i} verified`,
  },
  hash: {
    spec: 'hash',
    column: text,
    input: (i) => `tok_${(i * 2_654_435_761).toString(36)}_${i}`,
  },
  const: {
    spec: { transform: 'const', value: 'not-a-real-hash' },
    column: text,
    input: (i) => `$2b$10$${i}`,
  },
  null: { spec: 'null', column: text, input: (i) => `https://cdn.example.com/a/${i}.png` },
  json: {
    spec: {
      transform: 'json',
      paths: {
        '$.email': 'email',
        '$.name': 'fullName',
        '$.phone': 'phone',
        '$.address.street': 'streetAddress',
        '$.address.city': 'city',
        '$.address.postcode': 'postcode',
        '$.recipients[*].email': 'email',
        '$.recipients[*].name': 'fullName',
      },
    },
    column: { kind: 'json', type: 'jsonb', maxLength: null },
    input: shippingOf,
    unit: 'document, 8 leaves',
    composite: true,
  },
  array: {
    spec: { transform: 'array', each: 'word' },
    column: { kind: 'array', type: 'text[]', maxLength: null, element: text },
    input: (i) => `{vip-${i},newsletter-${i},"churn risk ${i}"}`,
    unit: 'array of 3',
    composite: true,
  },
  word: { spec: 'word', column: text, input: (i) => `${at(lorem, i)}${i}` },
}

/**
 * What a column (or JSON key) name says about its contents. Names are split
 * into lowercase words first (`firstName`, `first_name`, `FIRST-NAME` → first,
 * name), so English names, the usual abbreviations and any casing match.
 */
export type Category =
  | 'email'
  | 'secret'
  | 'governmentId'
  | 'username'
  | 'firstName'
  | 'lastName'
  | 'fullName'
  | 'phone'
  | 'street'
  | 'city'
  | 'postcode'
  | 'birth'
  | 'ip'
  | 'geo'
  | 'money'
  | 'freeText'
  | 'media'
  | 'tags'
  | 'externalId'
  | 'company'

export interface NameHint {
  category: Category
  /** The words that matched, for the "why" comment. */
  matched: string
}

/** Each category with the word sequences that signal it (any one is enough). */
const signals: [Category, string[]][] = [
  ['email', ['email', 'emails', 'mail', 'e mail', 'email address', 'mail address']],
  [
    'secret',
    ['password', 'passwd', 'pwd', 'secret', 'token', 'apikey', 'api key', 'salt', 'otp', 'pin'],
  ],
  [
    'governmentId',
    [
      'ssn',
      'social security',
      'tax id',
      'taxid',
      'tin',
      'vat',
      'national id',
      'passport',
      'iban',
      'bic',
      'account number',
      'account no',
      'account num',
      'card',
      'cc',
      'pan',
      'cvv',
      'driver license',
      'licence',
    ],
  ],
  ['username', ['username', 'user name', 'login', 'handle', 'nickname', 'nick', 'screen name']],
  ['firstName', ['first name', 'firstname', 'fname', 'given name', 'forename']],
  ['lastName', ['last name', 'lastname', 'lname', 'surname', 'family name']],
  [
    'fullName',
    ['full name', 'fullname', 'display name', 'contact name', 'customer name', 'person name'],
  ],
  ['phone', ['phone', 'phones', 'mobile', 'tel', 'telephone', 'cellphone', 'fax', 'msisdn']],
  ['street', ['street', 'address', 'addresses', 'addr', 'address line', 'house number']],
  ['city', ['city', 'town', 'municipality']],
  ['postcode', ['zip', 'zipcode', 'postcode', 'post code', 'postal code', 'postalcode', 'plz']],
  ['birth', ['birth', 'birthday', 'birthdate', 'dob', 'born', 'date of birth']],
  ['ip', ['ip', 'ipaddress', 'ip address', 'ipaddr', 'remote addr', 'remote ip']],
  ['geo', ['lat', 'latitude', 'lng', 'lon', 'longitude', 'geo', 'coordinates']],
  ['money', ['salary', 'income', 'wage', 'balance', 'credit limit', 'net worth']],
  [
    'freeText',
    ['bio', 'about', 'note', 'notes', 'comment', 'comments', 'message', 'body', 'remarks'],
  ],
  ['media', ['avatar', 'photo', 'picture', 'image', 'signature', 'selfie', 'portrait']],
  ['tags', ['tags', 'labels', 'keywords']],
  ['externalId', ['external id', 'ext id', 'external ref', 'external reference']],
  ['company', ['company', 'employer', 'organization', 'organisation', 'company name']],
]

/** Table or JSON parent names whose plain `name` is a person's name. */
const personWords = new Set([
  'user',
  'users',
  'customer',
  'customers',
  'contact',
  'contacts',
  'person',
  'people',
  'persons',
  'member',
  'members',
  'employee',
  'employees',
  'patient',
  'patients',
  'student',
  'students',
  'recipient',
  'recipients',
  'sender',
  'author',
  'authors',
  'owner',
  'buyer',
  'seller',
  'guest',
  'guests',
  'passenger',
  'applicant',
  'shipping',
  'billing',
  'delivery',
  'account',
  'profile',
])

/** `firstName` → [first, name]; `IP_Address2` → [ip, address, 2]. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+|(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])/)
    .filter((w) => w !== '')
}

/**
 * The category a column name signals, or null. `context` is the table name
 * (or a JSON key's parent key): a plain `name` is a person's only there.
 */
export function nameHint(name: string, context = ''): NameHint | null {
  const words = nameWords(name)
  const text = ` ${words.join(' ')} `
  // The last words name what a column holds (`last_login_ip` is an ip), so the
  // phrase ending last wins, and the longer one on a tie (`email address`).
  let best: (NameHint & { end: number }) | null = null
  for (const [category, phrases] of signals) {
    for (const phrase of phrases) {
      const at = text.lastIndexOf(` ${phrase} `)
      if (at < 0) continue
      const end = at + phrase.length
      if (!best || end > best.end || (end === best.end && phrase.length > best.matched.length)) {
        best = { category, matched: phrase, end }
      }
    }
  }
  if (best) return { category: best.category, matched: best.matched }
  if (words.length === 1 && words[0] === 'name') {
    const person = nameWords(context).find((w) => personWords.has(w))
    if (person) return { category: 'fullName', matched: `name in ${person}` }
  }
  return null
}

/** Tables whose rows are sessions, tokens or logs: suggest (commented out) `data: skip`. */
export function looksDisposable(table: string): string | null {
  const words = nameWords(table)
  const hit = words.find((w) =>
    ['session', 'sessions', 'token', 'tokens', 'log', 'logs', 'otp', 'nonce', 'nonces'].includes(w),
  )
  return hit ?? null
}

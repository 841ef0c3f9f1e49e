import { isIP } from 'node:net'

/** What a sampled value can look like. */
export type ValueKind = 'email' | 'phone' | 'ip' | 'iban' | 'card'

export const valueKindNames: Record<ValueKind, string> = {
  email: 'email addresses',
  phone: 'phone numbers',
  ip: 'IP addresses',
  iban: 'IBANs',
  card: 'card numbers',
}

const wholeEmail = /^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/
const someEmail = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[A-Za-z]{2,}/
const wholePhone = /^\+?[\d\s().-]{7,22}$/
const somePhone = /(?:^|[^\w+])\+\d[\d ().-]{6,20}\d/
const someIpv4 = /(?:^|[^\d.])(?:\d{1,3}\.){3}\d{1,3}(?:$|[^\d.])/
const someIban = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/
const someCard = /\b\d{4}(?:[ -]?\d{4}){2}[ -]?\d{1,7}\b/
/** Two capitalised words in a row: how names look inside free text. */
const namePair = /(?:^|[^\p{L}])\p{Lu}\p{Ll}+[ -]\p{Lu}\p{Ll}+/u

/** The kind of the whole value, or null. */
export function wholeValueKind(value: string): ValueKind | null {
  const v = value.trim()
  if (wholeEmail.test(v)) return 'email'
  if (isIP(v) || isIP(v.replace(/\/\d+$/, ''))) return 'ip'
  const compact = v.replace(/[\s-]/g, '')
  if (isIban(compact)) return 'iban'
  if (/^\d{13,19}$/.test(compact) && /^[\d -]+$/.test(v) && luhn(compact)) return 'card'
  if (wholePhone.test(v) && isPhoneDigits(v)) return 'phone'
  return null
}

/** The kinds found anywhere inside a longer text. */
export function containedKinds(value: string): ValueKind[] {
  const kinds: ValueKind[] = []
  if (someEmail.test(value)) kinds.push('email')
  if (somePhone.test(value)) kinds.push('phone')
  const ip = someIpv4.exec(value)
  if (ip && isIP(ip[0].replace(/^[^\d]|[^\d]$/g, ''))) kinds.push('ip')
  const iban = someIban.exec(value)
  if (iban && isIban(iban[0].replace(/\s/g, ''))) kinds.push('iban')
  const card = someCard.exec(value)
  if (card && luhn(card[0].replace(/\D/g, ''))) kinds.push('card')
  return kinds
}

/** Looks like free text holding a person's name ("Passport scan - Alice Liddell"). */
export function hasNamePair(value: string): boolean {
  return namePair.test(value)
}

/** Dates and times have digits and separators too. */
const dateLike = /^\d{4}-\d\d-\d\d|^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$|^\d\d?:\d\d/

function isPhoneDigits(v: string): boolean {
  if (dateLike.test(v)) return false
  const digits = v.replace(/\D/g, '').length
  // A bare run of digits is an id or an amount; a phone has a + or separators.
  return digits >= 7 && digits <= 15 && (v.startsWith('+') || /\d[\s().-]+\d/.test(v))
}

function isIban(compact: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false
  const moved = compact.slice(4) + compact.slice(0, 4)
  let rest = 0
  for (const c of moved) {
    const n = c >= 'A' ? c.charCodeAt(0) - 55 : c.charCodeAt(0) - 48
    rest = n > 9 ? (rest * 100 + n) % 97 : (rest * 10 + n) % 97
  }
  return rest === 1
}

function luhn(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48
    if (i % 2 === 1) {
      d *= 2
      if (d > 9) d -= 9
    }
    sum += d
  }
  return sum % 10 === 0
}

import { array } from './array.js'
import { city } from './city.js'
import { company } from './company.js'
import { constant } from './const.js'
import { date } from './date.js'
import { email } from './email.js'
import { firstName } from './first-name.js'
import { fullName } from './full-name.js'
import { hash } from './hash.js'
import { ip } from './ip.js'
import { json } from './json.js'
import { keep } from './keep.js'
import { lastName } from './last-name.js'
import { nullify } from './null.js'
import { number } from './number.js'
import { phone } from './phone.js'
import { postcode } from './postcode.js'
import { redact } from './redact.js'
import { streetAddress } from './street-address.js'
import { text } from './text.js'
import type { Transformer } from './transformer.js'
import { username } from './username.js'
import { uuid } from './uuid.js'
import { word } from './word.js'

/** Every transformer a rule can name. A plain object: the rule schema reads its keys. */
export const transformers = {
  keep,
  email,
  firstName,
  lastName,
  fullName,
  username,
  phone,
  streetAddress,
  city,
  postcode,
  company,
  ip,
  uuid,
  number,
  date,
  text,
  redact,
  hash,
  const: constant,
  null: nullify,
  json,
  array,
  word,
} satisfies Record<string, Transformer>

export type TransformerName = keyof typeof transformers

export function isTransformerName(name: string): name is TransformerName {
  return Object.hasOwn(transformers, name)
}

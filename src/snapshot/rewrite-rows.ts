import type { ValueTransform } from '../transformers/index.js'
import { escapeCopyValue, unescapeCopyValue } from './copy-text.js'

const NEWLINE = 10
const BACKSLASH = 92
const N = 78

/**
 * Rewrite whole rows of COPY text, decoded once as one string: field i for
 * i < transforms.length goes through transforms[i] (the engine selects the
 * transformed columns first); the rest of each row is copied as it is.
 * A UTF-8 character never spans two rows, so a batch cut at newlines decodes
 * cleanly; one decode and one encode per batch is far cheaper than one per field.
 */
export function rewriteRows(
  text: string,
  transforms: readonly ValueTransform[],
  table: string,
): { text: string; rows: number } {
  const k = transforms.length
  let out = ''
  let rows = 0
  let pos = 0
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos)
    if (nl < 0) throw new Error(`${table}: the COPY data ended in the middle of a row`)
    let field = pos
    for (let i = 0; i < k; i++) {
      let end = text.indexOf('\t', field)
      if (end < 0 || end > nl) end = nl
      if (end === nl && i < k - 1) {
        throw new Error(`${table}: row ${rows + 1} has fewer fields than expected`)
      }
      if (
        end - field === 2 &&
        text.charCodeAt(field) === BACKSLASH &&
        text.charCodeAt(field + 1) === N
      ) {
        out += '\\N'
      } else {
        const result = (transforms[i] as ValueTransform)(unescapeCopyValue(text.slice(field, end)))
        out += result === null ? '\\N' : escapeCopyValue(result)
      }
      field = end + 1
      if (end === nl) break
      out += '\t'
    }
    // `field` is past the newline when the last transformed field ended the row.
    out += field > nl ? '\n' : text.slice(field, nl + 1)
    rows++
    pos = nl + 1
  }
  return { text: out, rows }
}

/** Rows in COPY bytes that are copied untouched: count them without decoding. */
export function countRows(raw: Buffer): number {
  let rows = 0
  for (let nl = raw.indexOf(NEWLINE); nl >= 0; nl = raw.indexOf(NEWLINE, nl + 1)) rows++
  if (raw.length > 0 && raw[raw.length - 1] !== NEWLINE) {
    throw new Error('the COPY data ended in the middle of a row')
  }
  return rows
}

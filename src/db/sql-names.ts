/** An identifier quoted for SQL, always: safe for mixed case, spaces and reserved words. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}

/** `"schema"."name"`. */
export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`
}

/** A string literal for SQL with standard_conforming_strings on. */
export function quoteLiteral(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}

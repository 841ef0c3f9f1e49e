import type { z } from 'zod'

/**
 * What a column holds, reduced to what a transformer cares about.
 * Domains are resolved to their base type; enums and anything else
 * unknown are `other`.
 */
export type ColumnKind =
  | 'text'
  | 'integer'
  | 'numeric'
  | 'float'
  | 'date'
  | 'timestamp'
  | 'timestamptz'
  | 'inet'
  | 'uuid'
  | 'json'
  | 'array'
  | 'boolean'
  | 'bytea'
  | 'other'

/** The column a transformer is compiled for. */
export interface ColumnInfo {
  kind: ColumnKind
  /** The type as PostgreSQL spells it (`format_type`), for messages. */
  type: string
  /** `varchar(n)` / `char(n)` limit in characters, else null. */
  maxLength: number | null
  /** For `integer`: the smallest and largest value the type holds. */
  integerRange?: readonly [bigint, bigint]
  /** For arrays: the element type. */
  element?: ColumnInfo
}

/**
 * A keyed digest: 32 bytes that depend only on the secret key, the domain the
 * hasher was made for, and the value. Without the key nothing can be reversed.
 * The Buffer is reused: it is valid until the next call of the same digest, so
 * read it at once and never keep it.
 */
export interface Digest {
  (value: string): Buffer
  /**
   * The same digest of the value whose bytes are `src[start, end)`, which must
   * all be ASCII: for the snapshot's fast path, which never makes a string.
   */
  bytes(src: Buffer, start: number, end: number): Buffer
}

/** A rule as written for one column (or one json path / array element). */
export type RuleSpec = string | ({ transform: string } & Record<string, unknown>)

/** Where a fast path appends its output: the snapshot's buffer of COPY text. */
export interface ByteSink {
  /** Append as UTF-8 (a short ASCII string without a call into the runtime). */
  writeString(s: string): void
  writeByte(b: number): void
  /** Append `src[start, end)`. */
  writeBytes(src: Buffer, start: number, end: number): void
  /**
   * Room for `extra` more bytes: the buffer to write them into yourself, from index
   * `length` on; then set `length` past them. Valid until the next write.
   */
  room(extra: number): Buffer
  /** Bytes written so far; set it lower to drop what was written after that point. */
  length: number
  /**
   * Whether a byte written at or after position `from` is one a JSON string escapes:
   * a quote, a backslash or a control character.
   */
  needsJsonEscape(from: number): boolean
}

/**
 * A transformer's fast path, beside its string function: the value is
 * `src[start, end)`, all ASCII and with no COPY escape (so byte i is character
 * i of the value the string function would get). It appends to `out` the COPY
 * text of exactly what the string function returns for that value (`\N` for
 * NULL), and makes no string of the value. src/snapshot/byte-path.test.ts
 * holds every fast path to its string function.
 */
export type ByteTransform = ((
  src: Buffer,
  start: number,
  end: number,
  out: ByteSink,
  /**
   * The latin1 decoding of `src` (character i is byte i), when the caller has one (the
   * row rewriter's segment): a fast path that scans the value's text uses it instead
   * of decoding the value again. Indexes past `end` hold other rows: read only up to it.
   */
  text?: string,
) => void) & {
  /**
   * It also takes fields with other than ASCII (UTF-8, still without a COPY escape),
   * for the offsets it needs are byte offsets (json).
   */
  utf8?: boolean
}

/** A compiled transformer for one column: COPY-unescaped text in, text or NULL out. */
export type ValueTransform = ((value: string) => string | null) & {
  /** The fast path, when the transformer has one. */
  bytes?: ByteTransform
}

/**
 * A transformer whose fake depends only on the digest of the value: the
 * string function and its fast path, which hashes the bytes instead.
 */
export function digestFake(digest: Digest, fake: (d: Buffer) => string): ValueTransform {
  return withBytes(
    (value) => fake(digest(value)),
    (src, start, end, out) => out.writeString(fake(digest.bytes(src, start, end))),
  )
}

/** A string function with its fast path attached. */
export function withBytes(
  fn: (value: string) => string | null,
  bytes: ByteTransform,
): ValueTransform {
  return Object.assign(fn, { bytes })
}

export interface TransformContext {
  column: ColumnInfo
  /** A keyed digest separated by domain (use the transformer's name). */
  digest(domain: string): Digest
  /** Compile a nested rule (json paths, array elements) for another column shape. */
  compile(spec: RuleSpec, column: ColumnInfo): ValueTransform
  /**
   * Whether that nested rule's transformer declares `copySafe`: its output holds no
   * backslash, control character or double quote and is never NULL (see Transformer).
   */
  copySafe?(spec: RuleSpec, column: ColumnInfo): boolean
  /** That nested rule's fast path (see ByteTransform), or null when its transformer has none. */
  bytes?(spec: RuleSpec, column: ColumnInfo): ByteTransform | null
}

/**
 * One anonymization function. Declares what it accepts and guarantees, so
 * `dumpling check` can refuse a rule before any row is read.
 */
export interface Transformer<Options extends z.ZodType = z.ZodType> {
  /** One line for the README and `dumpling check` messages. */
  description: string
  /** Column kinds it can produce valid values for. */
  accepts: readonly ColumnKind[]
  /** Two distinct inputs never give the same output. */
  unique: boolean
  /** It can return NULL for a non-NULL input. */
  nullable: boolean
  /**
   * Its output never holds a backslash, a control character or a double quote, and
   * is never NULL, whatever the input: it is built only from digits, hex, base32 and
   * the vocabularies (which hold none of those: a test checks the fakes). The
   * snapshot then writes it into COPY text, and between quotes into JSON, without
   * looking for characters to escape. Leave it unset for anything that copies part of
   * its input.
   */
  copySafe?: boolean
  /** Extra rule keys besides `transform`, validated strictly. */
  options: Options
  /**
   * Build the function for one column. Throw a plain Error whose message says
   * what is wrong with the options for this column (it is reported with the
   * table and column by `dumpling check`).
   */
  create(options: z.infer<Options>, ctx: TransformContext): ValueTransform
}

/** Define a transformer with its option type inferred. */
export function defineTransformer<Options extends z.ZodType>(
  t: Transformer<Options>,
): Transformer<Options> {
  return t
}

/**
 * What a statement of pg_dump's output is, as far as ordering goes:
 * - `setting`: session state (SET, set_config) every connection must share;
 * - `index`: an index, primary key, unique or exclusion constraint: built in parallel;
 * - `foreign-key`: built in parallel once every index exists;
 * - `copy`: the start of a COPY … FROM stdin block;
 * - `other`: anything else, run in dump order on one connection.
 */
export type StatementKind = 'setting' | 'index' | 'foreign-key' | 'copy' | 'other'

export function statementKind(sql: string): StatementKind {
  // Names and literals can hold any words: look only at the statement's own keywords.
  const bare = sql
    .replace(/"(?:[^"]|"")*"/g, '""')
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/;$/, '')
    .toUpperCase()
  if (/^(SET|RESET) /.test(bare) || /^SELECT PG_CATALOG\.SET_CONFIG\(/.test(bare)) return 'setting'
  if (/^COPY .* FROM STDIN$/.test(bare)) return 'copy'
  if (/^CREATE (UNIQUE )?INDEX /.test(bare)) return 'index'
  if (/^ALTER TABLE /.test(bare) && / ADD CONSTRAINT /.test(bare)) {
    if (/ ADD CONSTRAINT \S+ FOREIGN KEY /.test(bare)) return 'foreign-key'
    if (/ ADD CONSTRAINT \S+ (PRIMARY KEY|UNIQUE|EXCLUDE)[ (]/.test(bare)) return 'index'
  }
  return 'other'
}

/**
 * `schema.table` (unquoted, as the manifest names tables) of a
 * `COPY name (columns) FROM stdin;` statement.
 */
export function copyTableName(sql: string): string {
  const target = copyTarget(sql)
  if (!target) return sql
  const parts = target.match(/"(?:[^"]|"")*"|[^."]+/g) ?? []
  return parts
    .map((p) => (p.startsWith('"') ? p.slice(1, -1).replaceAll('""', '"') : p.toLowerCase()))
    .join('.')
}

/** The table of a COPY statement as written there (`"s"."t"` or `s.t`), or null. */
export function copyTarget(sql: string): string | null {
  const match =
    /^\s*COPY\s+((?:"(?:[^"]|"")*"|[^\s."(]+)(?:\.(?:"(?:[^"]|"")*"|[^\s."(]+))?)/i.exec(sql)
  return match?.[1] ?? null
}

/**
 * The post-data statements in the order they can run: indexes and keys in
 * parallel, then (in dump order) what came before the first foreign key,
 * then the foreign keys in parallel, then the rest in dump order (comments on
 * foreign keys, policies, materialized view refreshes).
 */
export interface PostDataPlan {
  indexes: string[]
  beforeForeignKeys: string[]
  foreignKeys: string[]
  afterForeignKeys: string[]
}

export function planPostData(statements: string[]): PostDataPlan {
  const plan: PostDataPlan = {
    indexes: [],
    beforeForeignKeys: [],
    foreignKeys: [],
    afterForeignKeys: [],
  }
  for (const sql of statements) {
    const kind = statementKind(sql)
    if (kind === 'index') plan.indexes.push(sql)
    else if (kind === 'foreign-key') plan.foreignKeys.push(sql)
    else if (plan.foreignKeys.length === 0) plan.beforeForeignKeys.push(sql)
    else plan.afterForeignKeys.push(sql)
  }
  return plan
}

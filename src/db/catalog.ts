import type { ColumnInfo } from '../transformers/index.js'

/** A column as the rules see it. */
export interface Column extends ColumnInfo {
  name: string
  notNull: boolean
  /** `GENERATED ALWAYS AS (…) STORED`: recomputed on restore, never copied. */
  generated: boolean
}

export interface UniqueIndex {
  name: string
  /** Columns in the key or used by its expressions. */
  columns: string[]
}

export interface ForeignKey {
  name: string
  columns: string[]
  /** `schema.table` of the referenced table. */
  references: string
  referencedColumns: string[]
}

export interface Table {
  oid: number
  schema: string
  name: string
  /** `schema.table` exactly as PostgreSQL names them, unquoted: the rules' key. */
  qualified: string
  /** A partitioned table holds no rows; its leaf partitions do. */
  partitioned: boolean
  /** For a partition: the root partitioned table whose rules it follows. */
  partitionRoot: string | null
  columns: Column[]
  uniqueIndexes: UniqueIndex[]
  foreignKeys: ForeignKey[]
  /** On-disk size, to start the largest tables first. */
  bytes: number
}

export interface Sequence {
  schema: string
  name: string
  qualified: string
}

/** What `dumpling check` and the snapshot planner know about the source. */
export interface Catalog {
  database: string
  serverVersion: string
  serverVersionNum: number
  /** `pg_control_system().system_identifier`, or null when the role may not read it. */
  systemIdentifier: string | null
  tables: Table[]
  sequences: Sequence[]
  largeObjects: number
}

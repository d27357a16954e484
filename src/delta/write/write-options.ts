import type { ParquetCompression } from '../engine/parquet-codec.js'
import type { IsolationLevel } from '../txn/conflict.js'
import type { StructType } from '../model/schema.js'

/** What a write does when the table already exists. */
export type WriteMode = 'error' | 'append' | 'overwrite' | 'ignore'

/** Extras recorded with a commit, as delta-rs's `CommitProperties`. */
export interface CommitProperties {
  /** Merged into the commit's commitInfo. */
  customMetadata?: Record<string, unknown>
  /**
   * Application transactions to record (idempotent writes): a write whose app already has this
   * version or a newer one committed is skipped.
   */
  appTransactions?: { appId: string; version: number }[]
}

/** Options of `writeDeltaLake`, shaped like delta-rs's `write_deltalake`. */
export interface WriteOptions {
  /** Default 'error': refuse to write to an existing table. */
  mode?: WriteMode
  /**
   * The schema of a new table, with its field metadata (generated and identity columns,
   * invariants); by default the data's Arrow schema.
   */
  schema?: StructType
  /** Partition columns of a new table; must match an existing table's when given. */
  partitionBy?: string[]
  /** With mode 'overwrite': replace only the rows matching this predicate (replaceWhere). */
  predicate?: string
  /** 'merge' adds new columns and widens types; 'overwrite' (with mode 'overwrite') replaces the schema. */
  schemaMode?: 'merge' | 'overwrite'
  /** Table name and description (new table or overwrite). */
  name?: string
  description?: string
  /** Table properties (`delta.*` and others) of a new table. */
  configuration?: Record<string, string>
  /** Bytes of Arrow data per file before a new one starts. Default 100 MiB. */
  targetFileSize?: number
  compression?: ParquetCompression
  commitProperties?: CommitProperties
  /** Isolation of the commit's conflict checks. Default 'WriteSerializable'. */
  isolationLevel?: IsolationLevel
  /** How long to keep retrying a commit other writers keep beating. Default 120 s. */
  retryBudgetMs?: number
}

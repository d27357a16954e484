import type { ParquetCompression } from '../engine/parquet-codec.js'
import type { StructType } from '../model/schema.js'
import type { DataWriteOptions } from '../txn/options.js'

export type { CommitProperties } from '../txn/options.js'

/** What a write does when the table already exists. */
export type WriteMode = 'error' | 'append' | 'overwrite' | 'ignore'

/** The write modes, in the order error messages list them. */
export const WRITE_MODES: readonly WriteMode[] = ['error', 'append', 'overwrite', 'ignore']

/** How a write treats a schema that differs from the table's. */
export type SchemaMode = 'merge' | 'overwrite'

/** The schema modes, in the order error messages list them. */
export const SCHEMA_MODES: readonly SchemaMode[] = ['merge', 'overwrite']

/**
 * Options of `writeDeltaLake`, shaped like delta-rs's `write_deltalake`: what to write, plus
 * the options every writing operation takes (`writerProperties`, `commitProperties`,
 * `postCommitHookProperties`, `isolationLevel`, `retryBudgetMs`).
 */
export interface WriteOptions extends DataWriteOptions {
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
  schemaMode?: SchemaMode
  /** Table name and description (new table or overwrite). */
  name?: string
  description?: string
  /** Table properties (`delta.*` and others) of a new table. */
  configuration?: Record<string, string>
  /**
   * The size data files aim for, in bytes of Parquet. Default 100 MiB. Input is cut into row
   * ranges to get near it (a single large batch too); a file holds at least one row.
   */
  targetFileSize?: number
  /** @deprecated Use `writerProperties.compression`; kept as an alias of it. */
  compression?: ParquetCompression
}

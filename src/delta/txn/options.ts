import type { ParquetCompression } from '../engine/parquet-codec.js'
import type { IsolationLevel } from './conflict.js'

export type { IsolationLevel } from './conflict.js'

const COMPRESSIONS: Record<ParquetCompression, true> = { uncompressed: true, snappy: true, zstd: true, gzip: true, lz4: true, brotli: true }

/** The Parquet compression codecs a writer may ask for. */
export const PARQUET_COMPRESSIONS = Object.keys(COMPRESSIONS) as readonly ParquetCompression[]

/** The isolation levels a commit may ask for, as Spark and delta-rs name them. */
export const ISOLATION_LEVELS: readonly IsolationLevel[] = ['Serializable', 'WriteSerializable', 'SnapshotIsolation']

/** Extras recorded with a commit, as delta-rs's `CommitProperties`. */
export interface CommitProperties {
  /**
   * Merged into the commit's commitInfo. Keys the library writes itself (`operation`,
   * `txnId`, `readVersion`...) are refused rather than overwritten.
   */
  customMetadata?: Record<string, unknown>
  /**
   * Application transactions to record (idempotent writes), as `txn` actions in the commit. A
   * write whose app already has this version or a newer one committed is skipped.
   */
  appTransactions?: { appId: string; version: number }[]
}

/** Work done after a commit has landed, as delta-rs's `PostCommitHookProperties`. */
export interface PostCommitHookProperties {
  /** Write a checkpoint when the new version is a multiple of `delta.checkpointInterval`. Default true. */
  createCheckpoint?: boolean
  /**
   * Delete log files older than `delta.logRetentionDuration` after such a checkpoint. Default:
   * the table's `delta.enableExpiredLogCleanup` (true when unset); given, it wins over the table.
   */
  cleanupExpiredLogs?: boolean
}

/**
 * How data files are encoded, as delta-rs's `WriterProperties` (the subset the Parquet codec
 * can honour: parquet-wasm always writes page statistics and takes no compression level).
 */
export interface WriterProperties {
  /** Default 'snappy'. */
  compression?: ParquetCompression
  /** Rows per row group at most. Default: the codec's (1 Mi rows for parquet-wasm). */
  maxRowGroupSize?: number
}

/** Options of every operation that commits: how the commit is recorded, checked and followed up. */
export interface TransactionOptions {
  commitProperties?: CommitProperties
  postCommitHookProperties?: PostCommitHookProperties
  /** Isolation of the commit's conflict checks. Default 'WriteSerializable'. */
  isolationLevel?: IsolationLevel
  /** How long to keep retrying a commit other writers keep beating. Default 120 s. */
  retryBudgetMs?: number
}

/** Options of every operation that writes data files: the commit's and the files' encoding. */
export interface DataWriteOptions extends TransactionOptions {
  writerProperties?: WriterProperties
}

/** The transaction's own options out of an operation's. */
export function transactionOptions(opts: TransactionOptions): TransactionOptions {
  return {
    commitProperties: opts.commitProperties,
    postCommitHookProperties: opts.postCommitHookProperties,
    isolationLevel: opts.isolationLevel,
    retryBudgetMs: opts.retryBudgetMs,
  }
}

import type { RecordBatch, Schema, Table } from 'apache-arrow'
import type { DeletionVectorDescriptor, ProtocolAction } from '../delta/model/actions.js'
import type { StructType } from '../delta/model/schema.js'
import type { CommitEntry } from '../delta/log/history.js'
import type { ChangesOptions } from '../delta/scan/change-data.js'
import type { WriteData } from '../delta/write/input.js'
import type { WriteOptions } from '../delta/write/write-options.js'
import type { WriteResult } from '../delta/ops/write.js'
import type { DeleteOptions, DeleteResult } from '../delta/ops/delete.js'
import type { UpdateOptions, UpdateResult, UpdateValues } from '../delta/ops/update.js'
import type { VacuumOptions } from '../delta/ops/vacuum.js'
import type { RepairOptions, RepairResult } from '../delta/ops/repair.js'
import type { RestoreOptions, RestoreResult, RestoreTarget } from '../delta/ops/restore.js'
import type { AlterApi } from './alter-api.js'
import type { CreateCheckpointOptions, CreateCheckpointResult } from '../delta/ops/checkpoint.js'
import type { CleanupMetadataOptions } from '../delta/ops/cleanup-metadata.js'
import type { CompactLogsOptions, CompactLogsResult } from '../delta/ops/compact-logs.js'
import type { OptimizeApi } from './optimize-api.js'
import type { MergeBuilder } from '../delta/ops/merge/builder.js'
import type { MergeOptions } from '../delta/ops/merge/clauses.js'
import type { AddConstraintOptions, DropConstraintOptions } from '../delta/ops/alter.js'

/** Table-level metadata, as delta-rs's `DeltaTable.metadata()` gives it. */
export interface TableMetadata {
  /** The table's unique id, fixed when it was created. */
  id: string
  name: string | null
  description: string | null
  /** Columns whose values name the partition folders, in order. */
  partitionColumns: string[]
  /** Table properties (`delta.*` and others), as the log stores them. */
  configuration: Record<string, string>
  /** Milliseconds since the epoch when the table was created, when the writer recorded it. */
  createdTime: number | null
}

/** Reader and writer versions and features, as the table's protocol action states them. */
export type TableProtocol = Omit<ProtocolAction, 'kind'>

/** An active data file of the table. */
export interface AddFileInfo {
  /** The path as written in the log (relative and URL-encoded, or an absolute URI). */
  path: string
  /** Bytes. */
  size: number
  /** Milliseconds since the epoch when the file was written. */
  modificationTime: number
  /** False when the commit that added the file only rearranged data (compaction). */
  dataChange: boolean
  /** Partition values as the log writes them, keyed as the log keys them (physical names under column mapping). */
  partitionValues: Record<string, string | null>
  /** Statistics as the writer stored them (JSON), if any. */
  stats: string | null
  /** The rows of the file that are deleted, when a deletion vector marks some. */
  deletionVector: DeletionVectorDescriptor | null
}

/** Which files `files`, `filesTable` and `countFiles` are about. */
export interface FilesOptions {
  /** Only the files that may hold rows matching this predicate (judged by partition values and stats). */
  filter?: string
}

/** What `toArrow` reads: columns, rows, files, and a way to stop. */
export interface ToArrowOptions {
  /** Top-level columns to return, in this order; all when omitted. */
  columns?: string[]
  /** A predicate such as `"year = 2024 AND value > 3"`; rows where it is not TRUE are dropped. */
  filter?: string
  /** Read only these active files (paths as `files()` gives them), in this order. */
  files?: string[]
  /** Cancels the read between files; the promise rejects with `Cancelled`. */
  signal?: AbortSignal
}

/** What `toBatches` reads: columns, rows and files as `toArrow` takes them, and a way to stop. */
export interface ToBatchesOptions extends Omit<ToArrowOptions, 'signal'> {
  /** Stops the stream: the next step rejects with `Cancelled`, and reads in flight are stopped. */
  signal?: AbortSignal
}

/** Partition values of one partition, as the log writes them (`null` for a null value). */
export type PartitionValues = Record<string, string | null>

/**
 * The surface of an open Delta table, shaped like delta-rs's Python `DeltaTable` in TypeScript
 * naming. `DeltaTable` implements it in this thread; `WorkerDeltaTable` (`deltalake/worker`)
 * implements it through a worker pool, so code written against `TableApi` runs either way.
 * Synchronous members answer from the version the object holds; the others may read storage.
 */
export interface TableApi {
  /**
   * Where the table is: in this thread, the URI or path it was opened with; through a worker,
   * its URI when the storage descriptor gives one (a `file:` URI for `node-fs`), else a label.
   */
  readonly uri: string
  /** The version this object reads. */
  readonly version: number
  /**
   * How many active files the version has. A table opened `withoutFiles` does not know, and
   * throws `InvalidArgument`: count its files with `countFiles()`.
   */
  readonly numFiles: number
  /** Whether the table was opened `withoutFiles` (its files are read per question). */
  readonly withoutFiles: boolean
  /** The logical schema. */
  schema(): StructType
  /** The schema as Arrow gives it in `toArrow()`. */
  arrowSchema(): Schema
  /** Id, name, description, partition columns and properties. */
  metadata(): TableMetadata
  /** Reader and writer versions and features. */
  protocol(): TableProtocol
  /** The latest committed version of each application id (idempotent writers). */
  appTransactions(): Record<string, number>
  /** The latest version an application id committed, or undefined when it never did. */
  transactionVersion(appId: string): number | undefined
  /** The checkpoint this version was read from, if any. */
  checkpointVersion(): number | undefined
  /** The active data files (those a filter may match, when given one). */
  files(opts?: FilesOptions): Promise<AddFileInfo[]>
  /** How many active files there are (that a filter may match), counted without keeping them. */
  countFiles(opts?: FilesOptions): Promise<number>
  /**
   * The active data files as one Arrow table, a row per file, as delta-rs's `get_add_actions()`
   * gives them: `path`, `size_bytes`, `modification_time`, `data_change`, `partition_values`
   * (typed, partitioned tables only), `num_records`, `null_count`, `min`, `max` (structs over
   * the top-level primitive data columns) and `deletion_vector` when some file has one.
   */
  filesTable(opts?: FilesOptions): Promise<Table>
  /**
   * Absolute URIs of the active data files, in the order of `files()`.
   * - A `file:` table: each file's `file:` URI, percent-encoded as Node's `pathToFileURL` gives
   *   it, so `fileURLToPath(uri)` is the file's real path (a partition folder `p=x%2Fy` on disk
   *   comes back as `p=x%2Fy`, a space as a space).
   * - Other schemes (`s3://`, `https://`, `memory://`): the table URI joined with the file's
   *   path as the storage keys it (the log path decoded once, as this library reads it), not
   *   encoded again: `s3://bucket/t/p=a b/part-0.parquet`.
   * - A table opened under a label with no scheme (a storage given without a table URI): that
   *   label joined with the path, since no absolute location is known.
   */
  fileUris(): Promise<string[]>
  /** The distinct partitions that hold active files: `[{}]` for an unpartitioned table with files, `[]` for an empty table. */
  partitions(): Promise<PartitionValues[]>
  /** The number of rows: from file statistics when they are exact, else by reading. */
  count(): Promise<number>
  /** The commits still in the log, newest first, at most `limit`. */
  history(limit?: number): Promise<CommitEntry[]>
  /** The change data feed between two versions (inclusive), with `_change_type`, `_commit_version`, `_commit_timestamp`. */
  changes(opts?: ChangesOptions): Promise<Table>
  /** Read the table (or some columns, rows or files) into one Arrow table. */
  toArrow(opts?: ToArrowOptions): Promise<Table>
  /**
   * Read the table (or some columns, rows or files) as a stream of Arrow record batches, for a
   * consumer that holds one batch at a time (a grid, an export) instead of the whole table.
   * - Batches come file by file in the order `toArrow` would join them, all with the one output
   *   schema (`toArrow`'s); empty batches are left out, so a read that matches nothing yields none.
   * - A few files are read ahead of the consumer (through a worker pool, about one per worker),
   *   so decoding overlaps consumption while memory stays bounded by those files.
   * - Leaving the loop early (`break`, `return()`) stops reading and drops what is in flight.
   * - An aborted `signal` rejects the next step with `Cancelled`; a file that fails to read
   *   rejects the step that reaches it with its own error, after the batches before it.
   */
  toBatches(opts?: ToBatchesOptions): AsyncIterable<RecordBatch>
  /** Move this object to another version, or to the version the table had at a time. */
  loadAsVersion(version: number | Date | string): Promise<void>
  /** Move this object to the latest version. */
  updateIncremental(): Promise<void>
  /** Write data to this table (see `writeDeltaLake`) and move to the new version. */
  write(data: WriteData, opts?: WriteOptions): Promise<WriteResult>
  /**
   * Delete the rows matching a predicate (every row without one) and move to the version it
   * committed. Marks the rows in deletion vectors on tables that enable them, else rewrites the
   * files without them (copy-on-write). Returns delta-rs's delete metrics and the version.
   */
  delete(predicate?: string, opts?: DeleteOptions): Promise<DeleteResult>
  /**
   * Set columns of the rows matching `opts.predicate` (every row without one) to SQL expressions
   * over the row (`{ amount: 'amount + 1' }`) or to literals (`{ newValues: { status: 'closed' } }`),
   * and move to the version it committed. Returns delta-rs's update metrics and the version.
   */
  update(values: UpdateValues, opts?: UpdateOptions): Promise<UpdateResult>
  /**
   * Start a merge of `source` (anything `write` takes) into this table, joined on
   * `opts.predicate`: add WHEN clauses to the builder, then `execute()` it, which commits and
   * moves this object to the version it committed. Returns delta-rs's merge metrics and the version.
   */
  merge(source: WriteData, opts: MergeOptions): MergeBuilder
  /**
   * Add CHECK constraints (`{ name: 'expression' }`); existing rows must satisfy them, and every
   * later write is checked against them. Moves to the new version.
   */
  addConstraint(constraints: Record<string, string>, opts?: AddConstraintOptions): Promise<void>
  /** Drop a CHECK constraint by name and move to the new version. */
  dropConstraint(name: string, opts?: DropConstraintOptions): Promise<void>
  /**
   * Delete the data files the log removed longer ago than the retention (and, with `full`, files
   * the log never knew), as delta-rs's `vacuum`; a dry run by default. Returns the files deleted
   * (or that would be). Commits `VACUUM START`/`VACUUM END` when it deletes, and moves to them.
   */
  vacuum(opts?: VacuumOptions): Promise<string[]>
  /** Remove from the table the files whose data file is gone (delta-rs's `repair`, `FSCK`). */
  repair(opts?: RepairOptions): Promise<RepairResult>
  /**
   * Make the latest version hold the files of an earlier one (a version, or the version at a
   * `Date` / ISO time), as delta-rs's `restore`; time travel still reads the versions between.
   * Moves to the version it committed.
   */
  restore(target: RestoreTarget, opts?: RestoreOptions): Promise<RestoreResult>
  /** Schema and property changes (`addColumns`, `setTableProperties`, `addFeature`...), as delta-rs's `alter`. */
  readonly alter: AlterApi
  /**
   * Write a checkpoint of the latest version, of the kind the table's policy asks for (classic,
   * multi-part with `delta.checkpoint.partSize`, or v2 with sidecars), as delta-rs's
   * `create_checkpoint`. Returns what was written.
   */
  createCheckpoint(opts?: CreateCheckpointOptions): Promise<CreateCheckpointResult>
  /**
   * Delete log files older than `delta.logRetentionDuration` that no kept checkpoint needs, and
   * v2 sidecars no checkpoint names, as delta-rs's `cleanup_metadata`. Returns the paths deleted.
   */
  cleanupMetadata(opts?: CleanupMetadataOptions): Promise<string[]>
  /** Write a log compaction file (`<start>.<end>.compacted.json`) over a range of commits. */
  compactLogs(opts?: CompactLogsOptions): Promise<CompactLogsResult>
  /** File layout: `compact()` and `zOrder(columns)`, as delta-rs's `optimize`. */
  readonly optimize: OptimizeApi
  /** Release what the object holds (a worker's snapshot); a no-op in this thread. */
  close(): Promise<void>
}

import { Table, type RecordBatch, type Schema } from 'apache-arrow'
import { plainAdd, type AddAction } from '../delta/model/actions.js'
import { ActiveFiles } from '../delta/files/active-files.js'
import { buildFilesTable } from '../delta/files/files-table.js'
import { toArrowSchema } from '../delta/arrow/index.js'
import type { Engine } from '../delta/engine/engine.js'
import { DeltaError, isDeltaError } from '../delta/engine/errors.js'
import type { ParquetCodec } from '../delta/engine/parquet-codec.js'
import type { Storage } from '../delta/engine/storage.js'
import type { StructType } from '../delta/model/schema.js'
import { dataFileUri } from '../delta/log/data-path.js'
import { readHistory, type CommitEntry } from '../delta/log/history.js'
import { isTableMissing } from '../delta/log/log-segment.js'
import { loadSnapshot, type Snapshot, type SnapshotOptions } from '../delta/log/snapshot.js'
import { loadDeferredStats } from '../delta/files/deferred-stats.js'
import { versionAtTimestamp } from '../delta/log/time-travel.js'
import {
  addColumns, addConstraints, addFeature, dropColumnNotNull, dropConstraint, setColumnMetadata, setTableDescription, setTableName,
  setTableProperties, type AddConstraintOptions, type DropConstraintOptions,
} from '../delta/ops/alter.js'
import { restoreTable, type RestoreOptions, type RestoreResult, type RestoreTarget } from '../delta/ops/restore.js'
import type { AlterApi } from './alter-api.js'
import { createCheckpoint, type CreateCheckpointOptions, type CreateCheckpointResult } from '../delta/ops/checkpoint.js'
import { cleanupMetadata, type CleanupMetadataOptions } from '../delta/ops/cleanup-metadata.js'
import { compactLogs, type CompactLogsOptions, type CompactLogsResult } from '../delta/ops/compact-logs.js'
import type { OptimizeApi } from './optimize-api.js'
import { optimizeCompact } from '../delta/ops/optimize/compact.js'
import { optimizeZOrder } from '../delta/ops/optimize/z-order.js'
import type { OptimizeResult } from '../delta/ops/optimize/options.js'
import { vacuum, type VacuumOptions } from '../delta/ops/vacuum.js'
import { repair, type RepairOptions, type RepairResult } from '../delta/ops/repair.js'
import { mergeRows } from '../delta/ops/merge/execute.js'
import { MergeBuilder } from '../delta/ops/merge/builder.js'
import type { MergeOptions } from '../delta/ops/merge/clauses.js'
import { updateRows, type UpdateOptions, type UpdateResult, type UpdateValues } from '../delta/ops/update.js'
import { deleteRows, type DeleteOptions, type DeleteResult } from '../delta/ops/delete.js'
import { loadIfExists, writeTable, type WriteResult } from '../delta/ops/write.js'
import { readChanges, type ChangesOptions } from '../delta/scan/change-data.js'
import { distinctPartitions } from '../delta/scan/partitions.js'
import { planScan } from '../delta/scan/plan.js'
import { parseFilter } from '../delta/expr/index.js'
import { replaySnapshotFiles } from '../delta/log/replay-files.js'
import { executeScan, type ReadContext } from '../delta/scan/read.js'
import { streamScan } from '../delta/scan/stream.js'
import { exactRowCount } from '../delta/stats/row-count.js'
import type { WriteData } from '../delta/write/input.js'
import type { WriteOptions } from '../delta/write/write-options.js'
import type { TransactionOptions } from '../delta/txn/options.js'
import { checkCreateOptions, checkEngineOptions, checkOpenOptions, CREATE_MODES } from './api-options.js'
import type { EngineOptions, SignalOptions } from './engine-options.js'
import { guardEngine, resolveEngine } from './resolve-engine.js'
import type {
  AddFileInfo, FilesOptions, PartitionValues, TableApi, TableMetadata, TableProtocol,
  ToArrowOptions, ToBatchesOptions,
} from './table-api.js'

/** Where and how to open a table; `signal` stops the opening (`Cancelled`). */
export interface OpenOptions extends EngineOptions, SignalOptions {
  /** Open this version instead of the latest. */
  version?: number
  /** Open the version the table had at this time (Date, ISO string or ms since the epoch). */
  timestamp?: Date | string | number
  /**
   * Load no file state (as delta-rs's `without_files`): the open reads only the table's
   * metadata, and every question about files (`files`, `countFiles`, `toArrow`, `toBatches`...)
   * reads the checkpoint again, keeping only the files its filter may match, so memory follows
   * the query, not the table. `numFiles` is then unknown and throws: use `countFiles()`.
   */
  withoutFiles?: boolean
}

/** Options of `DeltaTable.create`, as delta-rs's; `signal` stops the creation (`Cancelled`). */
export interface CreateTableOptions extends EngineOptions, SignalOptions, Pick<TransactionOptions, 'commitProperties' | 'postCommitHookProperties' | 'retryBudgetMs'> {
  /** The table's columns, with field metadata (generated and identity columns, invariants). */
  schema: StructType
  /** Columns whose values name the table's partition folders. */
  partitionBy?: string[]
  /** The table's name in its metadata. */
  name?: string
  /** The table's description in its metadata. */
  description?: string
  /** Table properties (`delta.*` and others). */
  configuration?: Record<string, string>
  /** 'error' (default) refuses an existing table; 'ignore' leaves it; 'overwrite' replaces it. */
  mode?: (typeof CREATE_MODES)[number]
}

/**
 * A scan worked out by a table for reading elsewhere: the files that may hold matching rows, the
 * context a reader needs (no file list), and the result's schema. A worker pool splits `files`
 * between its workers, each reading its slice with `readPlannedFiles`.
 */
export interface PlannedScan {
  context: ReadContext & { version: number }
  files: AddAction[]
  schema: Schema
}

/** Options of `readPlannedFiles`. */
export interface ReadPlannedOptions extends Pick<ToArrowOptions, 'columns' | 'filter' | 'signal'> {}

/**
 * A Delta table at one version, read and changed in this thread. Open it with
 * `DeltaTable.open(uri)`; read it with `toArrow()`; move it in time with `loadAsVersion()`.
 * `WorkerDeltaTable` offers the same `TableApi` through a worker pool.
 */
export class DeltaTable implements TableApi {
  /** The URI or path the table was opened from. */
  readonly uri: string
  readonly #engine: Engine
  readonly #withoutFiles: boolean
  #snapshot: Snapshot

  private constructor(uri: string, engine: Engine, snapshot: Snapshot, withoutFiles = false) {
    this.uri = uri
    this.#engine = engine
    this.#snapshot = snapshot
    this.#withoutFiles = withoutFiles
  }

  /** Whether the table was opened `withoutFiles` (its files are read per question). */
  get withoutFiles(): boolean {
    return this.#withoutFiles
  }

  /**
   * Open a table. `uri` is a local folder (Node), or any label when `opts.storage` is given.
   * Refuses tables that use reader features this library cannot read, naming them.
   */
  static async open(uri: string, opts: OpenOptions = {}): Promise<DeltaTable> {
    checkOpenOptions(opts)
    const engine = await resolveEngine(uri, opts)
    // The open's own requests carry its signal; the table keeps the engine without it.
    const opening = guardEngine(engine, opts.signal)
    try {
      const version = opts.timestamp !== undefined
        ? await versionAtTimestamp(opening, toMillis(opts.timestamp))
        : opts.version
      const withoutFiles = opts.withoutFiles === true
      return new DeltaTable(uri, engine, await loadSnapshot(opening, version, snapshotOptions(withoutFiles)), withoutFiles)
    } catch (e) {
      // Name the table the user asked for: the core only knows paths inside its storage.
      if (isDeltaError(e, 'NotFound') && !e.message.includes(uri)) throw new DeltaError('NotFound', `${uri}: ${e.message}`, { cause: e })
      throw e
    }
  }

  /** Whether `uri` holds a Delta table (a `_delta_log` with at least one commit). */
  static async isDeltaTable(uri: string, opts: EngineOptions & SignalOptions = {}): Promise<boolean> {
    checkEngineOptions('isDeltaTable', opts)
    try {
      return (await loadIfExists(guardEngine(await resolveEngine(uri, opts), opts.signal))) !== undefined
    } catch (e) {
      if (isTableMissing(e)) return false
      // A log with commits that cannot be rebuilt is still a Delta table, a damaged one.
      if (isDeltaError(e, 'InvalidLog')) return true
      throw e
    }
  }

  /** Create an empty table with a schema and open it, as delta-rs's `DeltaTable.create`. */
  static async create(uri: string, opts: CreateTableOptions): Promise<DeltaTable> {
    checkCreateOptions(opts)
    const mode = opts.mode ?? 'error'
    const engine = await resolveEngine(uri, opts)
    const creating = guardEngine(engine, opts.signal)
    const existing = await loadIfExists(creating)
    if (existing && mode === 'error') {
      throw new DeltaError('InvalidArgument', `${uri}: a table already exists (version ${existing.version}); pass mode 'ignore' or 'overwrite'`)
    }
    if (!existing || mode === 'overwrite') {
      await writeTable(creating, new Table(toArrowSchema(opts.schema)), {
        mode: 'overwrite', schemaMode: 'overwrite', schema: opts.schema, partitionBy: opts.partitionBy, name: opts.name,
        description: opts.description, configuration: opts.configuration, commitProperties: opts.commitProperties,
        postCommitHookProperties: opts.postCommitHookProperties, retryBudgetMs: opts.retryBudgetMs,
      })
    }
    return new DeltaTable(uri, engine, await loadSnapshot(creating, undefined, snapshotOptions(false)))
  }

  get version(): number {
    return this.#snapshot.version
  }

  get numFiles(): number {
    if (this.#withoutFiles) {
      throw new DeltaError('InvalidArgument', `${this.uri} was opened withoutFiles, so its files are not counted: count them with countFiles()`)
    }
    return this.#snapshot.files.length
  }

  schema(): StructType {
    return this.#snapshot.schema
  }

  arrowSchema(): Schema {
    return toArrowSchema(this.#snapshot.schema)
  }

  metadata(): TableMetadata {
    const m = this.#snapshot.metadata
    return {
      id: m.id,
      name: m.name ?? null,
      description: m.description ?? null,
      partitionColumns: [...m.partitionColumns],
      configuration: { ...m.configuration },
      createdTime: m.createdTime ?? null,
    }
  }

  protocol(): TableProtocol {
    const { kind: _, ...p } = this.#snapshot.protocol
    return p
  }

  appTransactions(): Record<string, number> {
    return Object.fromEntries([...this.#snapshot.txns].map(([id, t]) => [id, t.version]))
  }

  transactionVersion(appId: string): number | undefined {
    return this.#snapshot.txns.get(appId)?.version
  }

  checkpointVersion(): number | undefined {
    return this.#snapshot.segment.checkpoint?.version
  }

  async files(opts: FilesOptions = {}): Promise<AddFileInfo[]> {
    await this.#stats()
    const { files } = await this.#replay(opts)
    return files.map((a) => ({
      path: a.path,
      size: a.size,
      modificationTime: a.modificationTime,
      dataChange: a.dataChange,
      partitionValues: { ...a.partitionValues },
      stats: a.stats ?? null,
      deletionVector: a.deletionVector ?? null,
    }))
  }

  async filesTable(opts: FilesOptions = {}): Promise<Table> {
    await this.#stats()
    return buildFilesTable(await this.#view(opts.filter))
  }

  async countFiles(opts: FilesOptions = {}): Promise<number> {
    if (opts.filter !== undefined) await this.#stats()
    return (await this.#replay({ ...opts, countOnly: true })).count
  }

  async fileUris(): Promise<string[]> {
    return (await this.#view()).files.map((a) => dataFileUri(a.path, this.#snapshot.tableUri, this.uri))
  }

  async partitions(): Promise<PartitionValues[]> {
    return distinctPartitions(await this.#view())
  }

  async count(): Promise<number> {
    await this.#stats()
    const exact = exactRowCount(await this.#view())
    if (exact !== undefined) return exact
    const first = this.#snapshot.schema.fields[0]
    return (await this.toArrow({ columns: first ? [first.name] : [] })).numRows
  }

  async history(limit?: number): Promise<CommitEntry[]> {
    return readHistory(this.#engine, this.#snapshot.metadata, limit)
  }

  /**
   * The change data feed, as delta-rs's `load_cdf` (see {@link ChangesOptions}): every change
   * from version 0 to the latest when no options are given. The log is read afresh up to the
   * range's end, so a table object at an older version still sees later changes.
   */
  async changes(opts: ChangesOptions = {}): Promise<Table> {
    return readChanges(guardEngine(this.#engine, opts?.signal), opts)
  }

  async toArrow(opts: ToArrowOptions = {}): Promise<Table> {
    await this.#stats(opts.signal)
    const snapshot = withFiles(await this.#view(opts.filter, opts.signal), opts.files)
    const plan = planScan(snapshot, { columns: opts.columns, filter: opts.filter })
    return executeScan(guardEngine(this.#engine, opts.signal), snapshot, plan, { signal: opts.signal })
  }

  async *toBatches(opts: ToBatchesOptions = {}): AsyncIterable<RecordBatch> {
    await this.#stats(opts.signal)
    const snapshot = withFiles(await this.#view(opts.filter, opts.signal), opts.files)
    const plan = planScan(snapshot, { columns: opts.columns, filter: opts.filter })
    // Reads ahead of the consumer end with the stream (a break, a failure), not just on abort;
    // the listener goes with it, so a long-lived signal of the caller's keeps nothing alive.
    const stop = new AbortController()
    const abort = (): void => stop.abort()
    if (opts.signal?.aborted) abort()
    opts.signal?.addEventListener('abort', abort, { once: true })
    try {
      yield* streamScan(guardEngine(this.#engine, stop.signal), snapshot, plan, { signal: stop.signal })
    } finally {
      opts.signal?.removeEventListener('abort', abort)
      stop.abort()
    }
  }

  /**
   * Work out a scan without reading it, for a caller that reads the files elsewhere (a worker
   * pool): files are skipped by partition values and statistics as `toArrow` would.
   */
  async planScan(opts: Omit<ToArrowOptions, 'signal'> = {}): Promise<PlannedScan> {
    await this.#stats()
    const snapshot = withFiles(await this.#view(opts.filter), opts.files)
    const plan = planScan(snapshot, { columns: opts.columns, filter: opts.filter })
    const { tableUri, version, metadata, schema, columnMapping } = snapshot
    // Plain copies: a structured clone keeps only own properties.
    return { context: { tableUri, version, metadata, schema, columnMapping }, files: plan.files.map(plainAdd), schema: toArrowSchema(plan.output) }
  }

  async loadAsVersion(version: number | Date | string): Promise<void> {
    const v = typeof version === 'number' ? version : await versionAtTimestamp(this.#engine, toMillis(version))
    this.#snapshot = await loadSnapshot(this.#engine, v, snapshotOptions(this.#withoutFiles))
  }

  async updateIncremental(): Promise<void> {
    this.#snapshot = await loadSnapshot(this.#engine, undefined, snapshotOptions(this.#withoutFiles))
  }

  async write(data: WriteData, opts: WriteOptions = {}): Promise<WriteResult> {
    const result = await writeTable(this.#engine, data, opts)
    await this.#moveTo(result.version)
    return result
  }

  async delete(predicate?: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const result = await deleteRows(this.#engine, predicate, opts, await this.#changing())
    await this.#moveTo(result.version)
    return result
  }

  async update(values: UpdateValues, opts: UpdateOptions = {}): Promise<UpdateResult> {
    const result = await updateRows(this.#engine, values, opts, await this.#changing())
    await this.#moveTo(result.version)
    return result
  }

  merge(source: WriteData, opts: MergeOptions): MergeBuilder {
    return new MergeBuilder(opts, async (spec) => {
      const result = await mergeRows(this.#engine, source, spec, await this.#changing())
      await this.#moveTo(result.version)
      return result
    })
  }

  async vacuum(opts: VacuumOptions = {}): Promise<string[]> {
    const deleted = await vacuum(this.#engine, opts)
    if (opts.dryRun === false && deleted.length > 0) await this.#refresh()
    return deleted
  }

  async restore(target: RestoreTarget, opts: RestoreOptions = {}): Promise<RestoreResult> {
    const result = await restoreTable(this.#engine, target, opts)
    await this.#moveTo(result.version)
    return result
  }

  /** Schema and property changes (see `AlterApi`), each moving this object to the version it committed. */
  get alter(): AlterApi {
    return this.#alter
  }

  readonly #alter: AlterApi = {
    addColumns: (fields, opts) => this.#altered(addColumns(this.#engine, fields, opts)),
    setTableProperties: (properties, opts) => this.#altered(setTableProperties(this.#engine, properties, opts)),
    addFeature: (feature, opts) => this.#altered(addFeature(this.#engine, feature, opts)),
    addConstraint: (constraints, opts) => this.#altered(addConstraints(this.#engine, constraints, opts)),
    dropConstraint: (name, opts) => this.#altered(dropConstraint(this.#engine, name, opts)),
    setTableName: (name, opts) => this.#altered(setTableName(this.#engine, name, opts)),
    setTableDescription: (description, opts) => this.#altered(setTableDescription(this.#engine, description, opts)),
    setColumnMetadata: (column, metadata, opts) => this.#altered(setColumnMetadata(this.#engine, column, metadata, opts)),
    dropColumnNotNull: (column, opts) => this.#altered(dropColumnNotNull(this.#engine, column, opts)),
  }

  /** File layout operations (see `OptimizeApi`), each moving this object to the version it committed. */
  get optimize(): OptimizeApi {
    return this.#optimize
  }

  readonly #optimize: OptimizeApi = {
    compact: async (opts) => this.#optimized(optimizeCompact(this.#engine, opts, await this.#changing())),
    zOrder: async (columns, opts) => this.#optimized(optimizeZOrder(this.#engine, columns, opts, await this.#changing())),
  }

  async #optimized(run: Promise<OptimizeResult>): Promise<OptimizeResult> {
    const result = await run
    await this.#moveTo(result.version)
    return result
  }

  async #altered(change: Promise<{ version: number }>): Promise<void> {
    await this.#moveTo((await change).version)
  }

  createCheckpoint(opts: CreateCheckpointOptions = {}): Promise<CreateCheckpointResult> {
    return createCheckpoint(this.#engine, opts)
  }

  cleanupMetadata(opts: CleanupMetadataOptions = {}): Promise<string[]> {
    return cleanupMetadata(this.#engine, opts)
  }

  compactLogs(opts: CompactLogsOptions = {}): Promise<CompactLogsResult> {
    return compactLogs(this.#engine, opts)
  }

  async repair(opts: RepairOptions = {}): Promise<RepairResult> {
    const result = await repair(this.#engine, opts)
    if (!result.dryRun && result.filesRemoved.length > 0) await this.#refresh()
    return result
  }

  async addConstraint(constraints: Record<string, string>, opts: AddConstraintOptions = {}): Promise<void> {
    await addConstraints(this.#engine, constraints, opts)
    await this.#refresh()
  }

  async dropConstraint(name: string, opts: DropConstraintOptions = {}): Promise<void> {
    await dropConstraint(this.#engine, name, opts)
    await this.#refresh()
  }

  async close(): Promise<void> {}

  /**
   * Read the file stats the open left in the checkpoint (see `SnapshotOptions.deferStats`),
   * before the first question that needs them: skipping, counts, the files' own listing.
   */
  #stats(signal?: AbortSignal): Promise<void> {
    return loadDeferredStats(guardEngine(this.#engine, signal), this.#snapshot.files)
  }

  /** The files a question is about: those a filter may match (all without one), read as the table was opened. */
  #replay(opts: FilesOptions & { countOnly?: boolean; signal?: AbortSignal }): ReturnType<typeof replaySnapshotFiles> {
    const filter = opts.filter === undefined ? undefined : parseFilter(opts.filter, this.#snapshot.schema)
    return replaySnapshotFiles(guardEngine(this.#engine, opts.signal), this.#snapshot, { ...(filter ? { filter } : {}), countOnly: opts.countOnly === true })
  }

  /**
   * The snapshot to answer from: itself when its files are loaded, else with the files a
   * filter may match (all without one) read now. A loaded snapshot is not narrowed here: scan
   * planning skips files itself.
   */
  async #view(filter?: string, signal?: AbortSignal): Promise<Snapshot> {
    if (!this.#withoutFiles) return this.#snapshot
    const { files } = await this.#replay({ ...(filter !== undefined ? { filter } : {}), ...(signal ? { signal } : {}) })
    return { ...this.#snapshot, files }
  }

  /**
   * Move to the latest version after a change of ours landed. The change has committed, so a
   * failing read here must not report it as failed (a retry would apply it twice): the object
   * then stays where it was until the next `updateIncremental`.
   */
  async #refresh(): Promise<void> {
    try {
      await this.updateIncremental()
    } catch {
      // Reported by the next read of the table, not by the change that succeeded.
    }
  }

  /**
   * The snapshot a row-level change starts from: this object's, with its file stats loaded (as
   * delta-rs changes the version a table object holds; newer commits are conflict-checked at
   * commit). A table opened without files has none to give: the change loads the latest.
   */
  async #changing(): Promise<Snapshot | undefined> {
    if (this.#withoutFiles) return undefined
    await this.#stats()
    return this.#snapshot
  }

  /**
   * Move to the version a change of ours committed (as delta-rs does: not past it, to a version
   * another writer made since); like `#refresh`, a failing read leaves the object where it was.
   */
  async #moveTo(version: number): Promise<void> {
    if (version === this.#snapshot.version) return
    try {
      this.#snapshot = await loadSnapshot(this.#engine, version, snapshotOptions(this.#withoutFiles))
    } catch {
      // Reported by the next read of the table, not by the change that succeeded.
    }
  }
}

/**
 * Read some files of a planned scan (see `DeltaTable.planScan`) with the given storage and codec:
 * the reading half of a scan split between workers.
 */
export async function readPlannedFiles(
  engine: { storage: Storage; parquet: ParquetCodec }, context: ReadContext, files: AddAction[], opts: ReadPlannedOptions = {},
): Promise<Table> {
  const plan = planScan({ ...context, files }, { columns: opts.columns, filter: opts.filter })
  return executeScan(guardEngine(engine, opts.signal), context, plan, { signal: opts.signal })
}

/** The snapshot narrowed to some of its files (by log path, in the given order). */
function withFiles(snapshot: Snapshot, paths: string[] | undefined): Snapshot {
  if (!paths) return snapshot
  const byPath = new Map(snapshot.files.map((f) => [f.path, f]))
  const files = paths.map((p) => {
    const f = byPath.get(p)
    if (!f) throw new DeltaError('InvalidArgument', `'${p}' is not an active file of version ${snapshot.version}: list them with files()`)
    return f
  })
  return { ...snapshot, files: ActiveFiles.of(files) }
}

/**
 * How this class loads snapshots: with its files (their stats read on first need) or without.
 * Operations load their own snapshots, with stats.
 */
function snapshotOptions(withoutFiles: boolean): SnapshotOptions {
  return withoutFiles ? { withoutFiles: true } : { deferStats: true }
}

function toMillis(t: Date | string | number): number {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'string' ? Date.parse(t) : t
  if (!Number.isFinite(ms)) throw new DeltaError('InvalidArgument', `'${String(t)}' is not a valid timestamp`)
  return ms
}

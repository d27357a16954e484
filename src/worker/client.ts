import { Table, type RecordBatch, type Schema } from 'apache-arrow'
import { toArrowSchema } from '../delta/arrow/index.js'
import type { ChangesOptions } from '../delta/scan/change-data.js'
import { checkChangesOptions } from '../delta/scan/change-options.js'
import type { CommitEntry } from '../delta/log/history.js'
import type { StructType } from '../delta/model/schema.js'
import type { WriteResult } from '../delta/ops/write.js'
import type { DeleteOptions, DeleteResult } from '../delta/ops/delete.js'
import type { UpdateOptions, UpdateResult, UpdateValues } from '../delta/ops/update.js'
import type { VacuumOptions } from '../delta/ops/vacuum.js'
import type { RepairOptions, RepairResult } from '../delta/ops/repair.js'
import type { LiveOptions, MaintenanceCall } from '../api/maintenance-call.js'
import type { RestoreOptions, RestoreResult, RestoreTarget } from '../delta/ops/restore.js'
import { alterVia, type AlterApi } from '../api/alter-api.js'
import type { OptimizeApi } from '../api/optimize-api.js'
import type { ConvertOptions, ConvertResult } from '../delta/ops/convert/convert.js'
import type { CreateCheckpointOptions, CreateCheckpointResult } from '../delta/ops/checkpoint.js'
import type { CleanupMetadataOptions } from '../delta/ops/cleanup-metadata.js'
import type { CompactLogsOptions, CompactLogsResult } from '../delta/ops/compact-logs.js'
import type { OptimizeResult } from '../delta/ops/optimize/options.js'
import { proxy } from 'comlink'
import { MergeBuilder } from '../delta/ops/merge/builder.js'
import type { MergeOptions } from '../delta/ops/merge/clauses.js'
import type { AddConstraintOptions, DropConstraintOptions } from '../delta/ops/alter.js'
import type { WriteData } from '../delta/write/input.js'
import type { WriteOptions } from '../delta/write/write-options.js'
import type {
  AddFileInfo, FilesOptions, PartitionValues, TableApi, TableMetadata, TableProtocol,
  ToArrowOptions, ToBatchesOptions,
} from '../api/table-api.js'
import { ipcBatches, ipcSchema, joinIpcStreams } from './ipc.js'
import { cancelledError, raceAbort, type DeltaPool } from './pool.js'
import { DeltaError } from '../delta/engine/errors.js'
import type { DeltaWorkerApi, OpenRequest, ScanTaskPlan, StorageDescriptor, TableInfo } from './protocol.js'
import { splitEvenly } from './split.js'
import { streamTasks } from './stream-tasks.js'
import { toWorkerWriteData } from './write-data.js'

/**
 * A Delta table read and changed through a worker pool, with the same `TableApi` as
 * `DeltaTable`: the log is replayed and the snapshot kept in one worker; scans are split across
 * the pool and come back as Arrow IPC, parsed once per task; writes encode Parquet in a worker.
 * The page's thread never decodes Parquet or replays the log.
 */
export class WorkerDeltaTable implements TableApi {
  /** The pool the table reads through. */
  readonly pool: DeltaPool
  /** Where the table lives, as the workers are told. */
  readonly storage: StorageDescriptor
  readonly #home: number
  // The worker the snapshot lives in: if the pool replaced it (it died), the snapshot is gone.
  readonly #homeApi: DeltaWorkerApi
  #info: TableInfo
  // Storage ids per worker, attached on first use (so a table costs nothing in idle workers),
  // with the worker they were attached in: a replaced worker needs them attached again.
  readonly #attached = new Map<number, { api: DeltaWorkerApi; id: Promise<string> }>()

  private constructor(pool: DeltaPool, storage: StorageDescriptor, home: number, info: TableInfo) {
    this.pool = pool
    this.storage = storage
    this.#home = home
    this.#homeApi = pool.worker(home)
    this.#info = info
    this.#attached.set(home, { api: this.#homeApi, id: Promise.resolve(info.storageId) })
  }

  /**
   * Open a table in the next worker of the pool (latest version, or `version`/`timestamp`).
   * `signal` rejects the open with `Cancelled` at once; a table the worker opens after that is
   * closed there.
   */
  static async open(pool: DeltaPool, storage: StorageDescriptor, opts: OpenRequest & { signal?: AbortSignal } = {}): Promise<WorkerDeltaTable> {
    const { signal, ...request } = opts
    if (signal?.aborted) throw cancelledError()
    const home = pool.nextWorker()
    const api = pool.worker(home)
    const opening = api.openTable(storage, request)
    if (!signal) return new WorkerDeltaTable(pool, storage, home, await opening)
    const info = await raceAbort(opening, signal, () => {
      void opening.then((late) => api.closeTable(late.handle), () => undefined).catch(() => undefined)
    })
    return new WorkerDeltaTable(pool, storage, home, info)
  }

  /** Whether the storage holds a Delta table, asked in the next worker of the pool. */
  static async isDeltaTable(pool: DeltaPool, storage: StorageDescriptor): Promise<boolean> {
    return pool.worker(pool.nextWorker()).isDeltaTable(storage)
  }

  /** Where the table lives, as its worker names it (never a signed URL or a secret). */
  get uri(): string {
    return this.#info.uri
  }

  /** The version this object reads. */
  get version(): number {
    return this.#info.version
  }

  /** Whether the table was opened `withoutFiles` (its files are read per question, in the worker). */
  get withoutFiles(): boolean {
    return this.#info.numFiles === null
  }

  /** How many active files the version has; throws for a table opened `withoutFiles` (see `countFiles`). */
  get numFiles(): number {
    if (this.#info.numFiles === null) {
      throw new DeltaError('InvalidArgument', `${this.uri} was opened withoutFiles, so its files are not counted: count them with countFiles()`)
    }
    return this.#info.numFiles
  }

  /** The logical schema. */
  schema(): StructType {
    return this.#info.schema
  }

  /** The schema as Arrow gives it in `toArrow()`. */
  arrowSchema(): Schema {
    return toArrowSchema(this.#info.schema)
  }

  /** Id, name, description, partition columns and properties. */
  metadata(): TableMetadata {
    return structuredClone(this.#info.metadata)
  }

  /** Reader and writer versions and features. */
  protocol(): TableProtocol {
    return structuredClone(this.#info.protocol)
  }

  /** The checkpoint this version was read from, if any. */
  checkpointVersion(): number | undefined {
    return this.#info.checkpointVersion ?? undefined
  }

  /** The latest committed version of each application id. */
  appTransactions(): Record<string, number> {
    return { ...this.#info.appTransactions }
  }

  /** The latest version an application id committed, or undefined when it never did. */
  transactionVersion(appId: string): number | undefined {
    return Object.hasOwn(this.#info.appTransactions, appId) ? this.#info.appTransactions[appId] : undefined
  }

  /** The active data files. */
  files(opts: FilesOptions = {}): Promise<AddFileInfo[]> {
    return this.#api().files(this.#info.handle, opts)
  }

  /** How many active files (that a filter may match), counted in the worker. */
  countFiles(opts: FilesOptions = {}): Promise<number> {
    return this.#api().countFiles(this.#info.handle, opts)
  }

  /** The active files as one Arrow table (see `TableApi.filesTable`), built in the worker. */
  async filesTable(opts: FilesOptions = {}): Promise<Table> {
    const bytes = await this.#api().filesTable(this.#info.handle, opts)
    return joinIpcStreams(ipcSchema(bytes), [bytes])
  }

  /** Absolute, decoded URIs of the active data files. */
  fileUris(): Promise<string[]> {
    return this.#api().fileUris(this.#info.handle)
  }

  /** The distinct partitions that hold active files. */
  partitions(): Promise<PartitionValues[]> {
    return this.#api().partitions(this.#info.handle)
  }

  /** The number of rows: from file statistics when they are exact, else by reading. */
  count(): Promise<number> {
    return this.#api().count(this.#info.handle)
  }

  /** The commits still in the log, newest first, at most `limit`. */
  history(limit?: number): Promise<CommitEntry[]> {
    return this.#api().history(this.#info.handle, limit)
  }

  /**
   * The change data feed, as `DeltaTable.changes` reads it (see {@link ChangesOptions}), in the
   * table's home worker; the log is read there afresh up to the range's end.
   */
  async changes(opts: ChangesOptions = {}): Promise<Table> {
    // Refused here, before a round trip; a signal cannot cross to the worker: the call is
    // raced against it here.
    checkChangesOptions(opts)
    const { signal, ...request } = opts
    if (signal?.aborted) throw cancelledError()
    const reading = this.#api().changes(this.#info.handle, request)
    const bytes = await (signal ? raceAbort(reading, signal, () => undefined) : reading)
    return joinIpcStreams(ipcSchema(bytes), [bytes])
  }

  /** Read the table (or some columns, rows or files) into one Arrow table, across the pool. */
  async toArrow(opts: ToArrowOptions = {}): Promise<Table> {
    if (opts.signal?.aborted) throw cancelledError()
    const scanId = crypto.randomUUID()
    const request = { columns: opts.columns, filter: opts.filter, scanId }
    const plan = await this.#api().planScan(this.#info.handle, { ...request, files: opts.files })
    const schema = ipcSchema(plan.schemaIpc)
    if (plan.files.length === 0) return new Table(schema)
    const slices = splitEvenly(plan.files, this.pool.size * 2)
    const used = new Set<number>()
    const parts = await this.pool.runTasks(slices.length, this.#home, async (worker, task) => {
      used.add(worker)
      return ipcBatches(schema, await this.#readSlice(worker, plan, request, slices[task]!))
    }, opts.signal, () => this.#cancelScan(scanId, used))
    return new Table(schema, parts.flat())
  }

  /**
   * Read the table (or some columns, rows or files) as a stream of record batches: planned once
   * in the table's worker, then a file per task across the pool, about one task per worker ahead
   * of the consumer; each task's IPC is parsed when the consumer reaches it.
   */
  async *toBatches(opts: ToBatchesOptions = {}): AsyncIterable<RecordBatch> {
    const { signal } = opts
    if (signal?.aborted) throw cancelledError()
    const scanId = crypto.randomUUID()
    const request = { columns: opts.columns, filter: opts.filter, scanId }
    const planning = this.#api().planScan(this.#info.handle, { ...request, files: opts.files })
    const plan = await (signal ? raceAbort(planning, signal, () => undefined) : planning)
    const schema = ipcSchema(plan.schemaIpc)
    const used = new Set<number>()
    const results = streamTasks(this.pool, plan.files.length, this.#home, async (worker, task) => {
      used.add(worker)
      return this.#readSlice(worker, plan, request, [plan.files[task]!])
    }, { signal, onStop: () => this.#cancelScan(scanId, used) })
    for await (const bytes of results) {
      for (const batch of ipcBatches(schema, bytes)) {
        yield batch
        if (signal?.aborted) throw cancelledError()
      }
    }
  }

  /** Move this object to another version, or to the version at a time. */
  async loadAsVersion(version: number | Date | string): Promise<void> {
    const req = typeof version === 'number' ? { version } : { timestamp: version instanceof Date ? version.getTime() : version }
    this.#info = await this.#api().reloadTable(this.#info.handle, req)
  }

  /** Move this object to the latest version. */
  async updateIncremental(): Promise<void> {
    this.#info = await this.#api().reloadTable(this.#info.handle)
  }

  /** Write data to this table in its worker (Parquet is encoded there) and move to the new version. */
  async write(data: WriteData, opts: WriteOptions = {}): Promise<WriteResult> {
    const { result, info } = await this.#api().writeTable(this.#info.handle, await toWorkerWriteData(data), opts)
    this.#info = info
    return result
  }

  /** Delete the rows matching a predicate (every row without one) and move to the new version. */
  async delete(predicate?: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    const { result, info } = await this.#api().deleteRows(this.#info.handle, predicate, opts)
    this.#info = info
    return result
  }

  /** Update rows (see `TableApi.update`) and move to the version it committed. */
  async update(values: UpdateValues, opts: UpdateOptions = {}): Promise<UpdateResult> {
    const { result, info } = await this.#api().updateRows(this.#info.handle, values, opts)
    this.#info = info
    return result
  }

  /** Start a merge (see `TableApi.merge`); `execute()` runs it in this table's worker and moves to the version it committed. */
  merge(source: WriteData, opts: MergeOptions): MergeBuilder {
    return new MergeBuilder(opts, async (spec) => {
      const { result, info } = await this.#api().mergeRows(this.#info.handle, await toWorkerWriteData(source), spec)
      this.#info = info
      return result
    })
  }

  /** Vacuum in the worker (see `TableApi.vacuum`); progress and the signal reach across. */
  async vacuum(opts: VacuumOptions = {}): Promise<string[]> {
    const { onProgress, signal, ...plain } = opts
    return this.#maintain({ op: 'vacuum', opts: plain }, { onProgress, signal }) as Promise<string[]>
  }

  /** Restore in the worker (see `TableApi.restore`). */
  async restore(target: RestoreTarget, opts: RestoreOptions = {}): Promise<RestoreResult> {
    return this.#maintain({ op: 'restore', target, opts }, {}) as Promise<RestoreResult>
  }

  /** Schema and property changes run in the worker (see `AlterApi`). */
  get alter(): AlterApi {
    return this.#alter
  }

  readonly #alter: AlterApi = alterVia(async (call) => {
    await this.#maintain({ op: 'alter', call }, {})
  })

  /** File layout operations run in the worker (see `OptimizeApi`); progress and the signal reach across. */
  get optimize(): OptimizeApi {
    return this.#optimize
  }

  readonly #optimize: OptimizeApi = {
    compact: async (opts = {}) => {
      const { onProgress, signal, ...plain } = opts
      return this.#maintain({ op: 'compact', opts: plain }, { onProgress, signal }) as Promise<OptimizeResult>
    },
    zOrder: async (columns, opts = {}) => {
      const { onProgress, signal, ...plain } = opts
      return this.#maintain({ op: 'zOrder', columns, opts: plain }, { onProgress, signal }) as Promise<OptimizeResult>
    },
  }

  /** Write a checkpoint in the worker (see `TableApi.createCheckpoint`). */
  async createCheckpoint(opts: CreateCheckpointOptions = {}): Promise<CreateCheckpointResult> {
    return this.#maintain({ op: 'createCheckpoint', opts }, {}) as Promise<CreateCheckpointResult>
  }

  /** Clean up expired log files in the worker (see `TableApi.cleanupMetadata`). */
  async cleanupMetadata(opts: CleanupMetadataOptions = {}): Promise<string[]> {
    return this.#maintain({ op: 'cleanupMetadata', opts }, {}) as Promise<string[]>
  }

  /** Write a log compaction file in the worker (see `TableApi.compactLogs`). */
  async compactLogs(opts: CompactLogsOptions = {}): Promise<CompactLogsResult> {
    return this.#maintain({ op: 'compactLogs', opts }, {}) as Promise<CompactLogsResult>
  }

  /** Repair in the worker (see `TableApi.repair`). */
  async repair(opts: RepairOptions = {}): Promise<RepairResult> {
    return this.#maintain({ op: 'repair', opts }, {}) as Promise<RepairResult>
  }

  /**
   * Run a maintenance call in this table's worker: the progress callback goes as a proxy, and an
   * abort of the signal cancels the operation there by its id.
   */
  async #maintain(call: MaintenanceCall, live: LiveOptions): Promise<unknown> {
    const { signal, onProgress } = live
    if (signal?.aborted) throw cancelledError()
    const operationId = signal ? crypto.randomUUID() : undefined
    const running = this.#api().maintain(this.#info.handle, call, onProgress ? proxy(onProgress) : undefined, operationId)
    const { result, info } = await (signal ? raceAbort(running, signal, () => void this.#api().cancel(operationId!)) : running)
    this.#info = info
    return result
  }

  /** Add CHECK constraints and move to the new version. */
  async addConstraint(constraints: Record<string, string>, opts: AddConstraintOptions = {}): Promise<void> {
    this.#info = await this.#api().addConstraint(this.#info.handle, constraints, opts)
  }

  /** Drop a CHECK constraint by name and move to the new version. */
  async dropConstraint(name: string, opts: DropConstraintOptions = {}): Promise<void> {
    this.#info = await this.#api().dropConstraint(this.#info.handle, name, opts)
  }

  /** Release the snapshot and the storages this table holds in the workers. */
  async close(): Promise<void> {
    const attached = [...this.#attached].filter(([w, a]) => w !== this.#home && a.api === this.pool.worker(w))
    this.#attached.clear()
    await Promise.all(attached.map(async ([, a]) => a.api.detachStorage(await a.id)))
    if (this.pool.worker(this.#home) === this.#homeApi) await this.#homeApi.closeTable(this.#info.handle)
  }

  // The worker holding the snapshot; once it died and was replaced, every call rejects, typed.
  #api(): DeltaWorkerApi {
    const api = this.pool.worker(this.#home)
    if (api === this.#homeApi) return api
    const lost = new DeltaError('Internal', `the worker that held table ${this.#info.uri} stopped, and the table with it: open the table again`)
    return new Proxy({} as DeltaWorkerApi, {
      get: (_, prop) => (typeof prop === 'string' && prop !== 'then' ? () => Promise.reject(lost) : undefined),
    })
  }

  // Stop a scan's tasks in the workers that got some; a terminated pool has nothing to stop.
  #cancelScan(scanId: string, workers: Iterable<number>): void {
    for (const w of workers) {
      try {
        void this.pool.worker(w).cancel(scanId).catch(() => undefined)
      } catch {
        // The pool was terminated: its workers, and the scan's tasks, are gone.
      }
    }
  }

  async #readSlice(worker: number, plan: ScanTaskPlan, request: { columns?: string[]; filter?: string; scanId: string }, files: ScanTaskPlan['files']): Promise<Uint8Array> {
    const api = this.pool.worker(worker)
    let attached = this.#attached.get(worker)
    if (!attached || attached.api !== api) {
      attached = { api, id: api.attachStorage(this.storage) }
      this.#attached.set(worker, attached)
    }
    return api.readFiles({ storageId: await attached.id, context: plan.context, request, files })
  }
}

/**
 * Write data to the table a storage holds in a worker of the pool (Parquet is encoded there),
 * creating it when needed, as `writeDeltaLake` does: `mode` 'error' (default), 'append',
 * 'overwrite' or 'ignore'. To change an open table, use its `write` instead.
 */
export async function writeDeltaLakeInWorker(pool: DeltaPool, storage: StorageDescriptor, data: WriteData, opts: WriteOptions = {}): Promise<WriteResult> {
  return pool.worker(pool.nextWorker()).write(storage, await toWorkerWriteData(data), opts)
}

/**
 * Turn the folder of Parquet files a storage holds into a Delta table, in a worker of the pool,
 * as `convertToDeltaLake` does (partition folders are found where the storage walks folders;
 * else pass `files`). Progress and the signal reach across.
 */
export async function convertToDeltaLakeInWorker(pool: DeltaPool, storage: StorageDescriptor, opts: ConvertOptions = {}): Promise<ConvertResult> {
  const { onProgress, signal, ...plain } = opts
  if (signal?.aborted) throw cancelledError()
  const api = pool.worker(pool.nextWorker())
  const operationId = signal ? crypto.randomUUID() : undefined
  const running = api.convert(storage, plain, onProgress ? proxy(onProgress) : undefined, operationId)
  return signal ? raceAbort(running, signal, () => void api.cancel(operationId!)) : running
}

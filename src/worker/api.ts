import { Table } from 'apache-arrow'
import type { ChangesOptions } from '../delta/scan/change-data.js'
import type { Engine } from '../delta/engine/engine.js'
import { DeltaError } from '../delta/engine/errors.js'
import type { CommitEntry } from '../delta/log/history.js'
import type { ParquetCodec } from '../delta/engine/parquet-codec.js'
import type { Storage } from '../delta/engine/storage.js'
import type { WriteOptions } from '../delta/write/write-options.js'
import type { WriteResult } from '../delta/ops/write.js'
import type { DeleteOptions, DeleteResult } from '../delta/ops/delete.js'
import type { UpdateOptions, UpdateResult, UpdateValues } from '../delta/ops/update.js'
import { runMaintenance, type MaintenanceCall, type PlainOptions, type Progress } from '../api/maintenance-call.js'
import { convertToDeltaLake } from '../api/convert-to-deltalake.js'
import type { ConvertOptions, ConvertResult } from '../delta/ops/convert/convert.js'
import type { MergeResult, MergeSpec } from '../delta/ops/merge/clauses.js'
import type { AddConstraintOptions, DropConstraintOptions } from '../delta/ops/alter.js'
import { DeltaTable, readPlannedFiles } from '../api/delta-table.js'
import type { AddFileInfo, FilesOptions, PartitionValues } from '../api/table-api.js'
import { writeDeltaLake } from '../api/write-deltalake.js'
import { toTransferableIpc } from './ipc.js'
import type {
  DeltaWorkerApi, OpenRequest, RealmStats, ScanRequest, ScanTask, ScanTaskPlan, StorageDescriptor, TableInfo, WorkerChange,
  WorkerWriteData,
} from './protocol.js'
import { fromWorkerWriteData } from './write-data.js'
import { countingCodec, realmStats } from './realm-stats.js'
import { resolveStorage, tableUriOf, type FolderUriFactory, type NodeFsFactory } from './resolve-storage.js'
import { ScanRegistry } from './scan-registry.js'
import { describeLocation, describeTable } from './table-info.js'

/** What the platform gives the API: the codec, and in Node a file-system storage. */
export interface WorkerHost {
  /** Load (once) the Parquet codec of this realm. */
  loadCodec(): Promise<ParquetCodec>
  /** Storage over a local folder, for `node-fs` descriptors; Node workers only. */
  nodeFs?: NodeFsFactory
  /** The `file:` URI of a local folder, the table URI of `node-fs` tables; Node workers only. */
  folderUri?: FolderUriFactory
}

interface OpenTable {
  storageId: string
  table: DeltaTable
}

/**
 * The worker API over a host: the object a worker exposes with comlink, and the one a pool
 * calls directly when it runs in-process. State (storages, snapshots, running scans) lives in
 * the returned object, so each worker or in-process instance is independent.
 */
export function createWorkerApi(host: WorkerHost): DeltaWorkerApi {
  return new WorkerApi(host)
}

class WorkerApi implements DeltaWorkerApi {
  readonly #host: WorkerHost
  readonly #storages = new Map<string, Storage>()
  readonly #tables = new Map<string, OpenTable>()
  readonly #scans = new ScanRegistry()
  #codec: Promise<ParquetCodec> | undefined

  constructor(host: WorkerHost) {
    this.#host = host
  }

  async openTable(storage: StorageDescriptor, req: OpenRequest = {}): Promise<TableInfo> {
    const storageId = await this.attachStorage(storage)
    try {
      const engine = await this.#engine(this.#storages.get(storageId)!)
      const at = req.timestamp !== undefined ? { timestamp: req.timestamp } : req.version !== undefined ? { version: req.version } : {}
      const table = await DeltaTable.open(this.#tableUri(storage), { ...engine, ...at, ...(req.withoutFiles ? { withoutFiles: true } : {}) })
      realmStats().snapshotsLoaded++
      const handle = crypto.randomUUID()
      this.#tables.set(handle, { storageId, table })
      return describeTable(handle, storageId, table)
    } catch (e) {
      this.#storages.delete(storageId)
      throw e
    }
  }

  async isDeltaTable(storage: StorageDescriptor): Promise<boolean> {
    const engine = await this.#engine(resolveStorage(storage, this.#host.nodeFs))
    return DeltaTable.isDeltaTable(this.#tableUri(storage), engine)
  }

  async reloadTable(handle: string, req: OpenRequest = {}): Promise<TableInfo> {
    const t = this.#table(handle)
    // loadAsVersion takes a number as a version: a time in milliseconds goes as a Date.
    if (req.timestamp !== undefined) await t.table.loadAsVersion(typeof req.timestamp === 'number' ? new Date(req.timestamp) : req.timestamp)
    else if (req.version !== undefined) await t.table.loadAsVersion(req.version)
    else await t.table.updateIncremental()
    realmStats().snapshotsLoaded++
    return this.#describe(handle)
  }

  async closeTable(handle: string): Promise<void> {
    const t = this.#tables.get(handle)
    this.#tables.delete(handle)
    if (t) this.#storages.delete(t.storageId)
  }

  async files(handle: string, opts: FilesOptions = {}): Promise<AddFileInfo[]> {
    return this.#table(handle).table.files(opts)
  }

  async countFiles(handle: string, opts: FilesOptions = {}): Promise<number> {
    return this.#table(handle).table.countFiles(opts)
  }

  async fileUris(handle: string): Promise<string[]> {
    return this.#table(handle).table.fileUris()
  }

  async partitions(handle: string): Promise<PartitionValues[]> {
    return this.#table(handle).table.partitions()
  }

  async count(handle: string): Promise<number> {
    return this.#table(handle).table.count()
  }

  async history(handle: string, limit?: number): Promise<CommitEntry[]> {
    return this.#table(handle).table.history(limit)
  }

  async filesTable(handle: string, opts: FilesOptions = {}): Promise<Uint8Array> {
    return toTransferableIpc(await this.#table(handle).table.filesTable(opts))
  }

  async changes(handle: string, opts: Omit<ChangesOptions, 'signal'>): Promise<Uint8Array> {
    return toTransferableIpc(await this.#table(handle).table.changes(opts))
  }

  async scan(handle: string, req: ScanRequest = {}): Promise<Uint8Array> {
    const { table } = this.#table(handle)
    const { scanId, ...opts } = req
    return this.#scans.run(scanId, async (signal) => toTransferableIpc(await table.toArrow({ ...opts, signal })))
  }

  async planScan(handle: string, req: ScanRequest = {}): Promise<ScanTaskPlan> {
    const { context, files, schema } = await this.#table(handle).table.planScan({ columns: req.columns, filter: req.filter, files: req.files })
    return { context, files, schemaIpc: toTransferableIpc(new Table(schema)) }
  }

  async attachStorage(storage: StorageDescriptor): Promise<string> {
    const id = crypto.randomUUID()
    this.#storages.set(id, resolveStorage(storage, this.#host.nodeFs))
    return id
  }

  async detachStorage(storageId: string): Promise<void> {
    this.#storages.delete(storageId)
  }

  async readFiles(task: ScanTask): Promise<Uint8Array> {
    const storage = this.#storages.get(task.storageId)
    if (!storage) throw new DeltaError('InvalidArgument', `no storage '${task.storageId}' in this worker: attach it first`)
    const engine = await this.#engine(storage)
    const { columns, filter, scanId } = task.request
    return this.#scans.run(scanId, async (signal) => toTransferableIpc(await readPlannedFiles(engine, task.context, task.files, { columns, filter, signal })))
  }

  async cancel(scanId: string): Promise<void> {
    this.#scans.cancel(scanId)
  }

  async write(storage: StorageDescriptor, data: WorkerWriteData, opts: WriteOptions = {}): Promise<WriteResult> {
    const engine = await this.#engine(resolveStorage(storage, this.#host.nodeFs))
    return writeDeltaLake(this.#tableUri(storage), fromWorkerWriteData(data), { ...opts, ...engine })
  }

  async convert(storage: StorageDescriptor, opts: PlainOptions<ConvertOptions> = {}, progress?: (p: Progress) => void, operationId?: string): Promise<ConvertResult> {
    const engine = await this.#engine(resolveStorage(storage, this.#host.nodeFs))
    const onProgress = progress ? (p: Progress) => void Promise.resolve(progress(p)).catch(() => undefined) : undefined
    return this.#scans.run(operationId, (signal) => convertToDeltaLake(this.#tableUri(storage), { ...opts, ...engine, ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) }))
  }

  async writeTable(handle: string, data: WorkerWriteData, opts: WriteOptions = {}): Promise<WorkerChange<WriteResult>> {
    const result = await this.#table(handle).table.write(fromWorkerWriteData(data), opts)
    return { result, info: await this.#describe(handle) }
  }

  async deleteRows(handle: string, predicate?: string, opts: DeleteOptions = {}): Promise<WorkerChange<DeleteResult>> {
    const result = await this.#table(handle).table.delete(predicate, opts)
    return { result, info: await this.#describe(handle) }
  }

  async updateRows(handle: string, values: UpdateValues, opts: UpdateOptions = {}): Promise<WorkerChange<UpdateResult>> {
    const result = await this.#table(handle).table.update(values, opts)
    return { result, info: await this.#describe(handle) }
  }

  async mergeRows(handle: string, source: WorkerWriteData, spec: MergeSpec): Promise<WorkerChange<MergeResult>> {
    const { table } = this.#table(handle)
    const result = await table.merge(fromWorkerWriteData(source), spec.options).withClauses(spec.clauses).execute()
    return { result, info: await this.#describe(handle) }
  }

  async maintain(handle: string, call: MaintenanceCall, progress?: (p: Progress) => void, operationId?: string): Promise<WorkerChange<unknown>> {
    const { table } = this.#table(handle)
    const onProgress = progress ? (p: Progress) => void Promise.resolve(progress(p)).catch(() => undefined) : undefined
    const result = await this.#scans.run(operationId, (signal) => runMaintenance(table, call, { ...(onProgress ? { onProgress } : {}), ...(signal ? { signal } : {}) }))
    return { result, info: await this.#describe(handle) }
  }

  async addConstraint(handle: string, constraints: Record<string, string>, opts: AddConstraintOptions = {}): Promise<TableInfo> {
    await this.#table(handle).table.addConstraint(constraints, opts)
    return this.#describe(handle)
  }

  async dropConstraint(handle: string, name: string, opts: DropConstraintOptions = {}): Promise<TableInfo> {
    await this.#table(handle).table.dropConstraint(name, opts)
    return this.#describe(handle)
  }

  async realmStats(): Promise<RealmStats> {
    return { ...realmStats() }
  }

  async #engine(storage: Storage): Promise<Engine> {
    this.#codec ??= this.#host.loadCodec().then(countingCodec).catch((e: unknown) => {
      this.#codec = undefined // a failed load (offline, wrong URL) may succeed later
      throw e
    })
    return { storage, parquet: await this.#codec }
  }

  // The table's real URI when known, so that the snapshot resolves absolute paths in the log and
  // gives the same `fileUris()` as in-process; else a label for messages.
  #tableUri(storage: StorageDescriptor): string {
    return tableUriOf(storage, this.#host.folderUri) ?? describeLocation(storage)
  }

  #table(handle: string): OpenTable {
    const t = this.#tables.get(handle)
    if (!t) throw new DeltaError('InvalidArgument', `no open table '${handle}' in this worker: open the table again`)
    return t
  }

  #describe(handle: string): TableInfo {
    const t = this.#table(handle)
    return describeTable(handle, t.storageId, t.table)
  }
}

import { Table, tableFromIPC } from 'apache-arrow'
import { plainAdd, type AddAction } from '../delta/model/actions.js'
import { toArrowSchema } from '../delta/arrow/index.js'
import type { ChangesOptions } from '../delta/scan/change-data.js'
import type { Engine } from '../delta/engine/engine.js'
import { DeltaError } from '../delta/engine/errors.js'
import type { CommitEntry } from '../delta/log/history.js'
import type { ParquetCodec } from '../delta/engine/parquet-codec.js'
import { planScan } from '../delta/scan/plan.js'
import { executeScan } from '../delta/scan/read.js'
import type { Snapshot } from '../delta/log/snapshot.js'
import type { Storage } from '../delta/engine/storage.js'
import type { WriteResult } from '../delta/ops/write.js'
import { DeltaTable, type AddFileInfo } from '../api/delta-table.js'
import { toTransferableIpc } from './ipc.js'
import type {
  DeltaWorkerApi, OpenRequest, RealmStats, ScanContext, ScanRequest, ScanTask, ScanTaskPlan, StorageDescriptor, TableInfo,
  WorkerWriteOptions,
} from './protocol.js'
import { countingCodec, realmStats } from './realm-stats.js'
import { resolveStorage, type NodeFsFactory } from './resolve-storage.js'
import { ScanRegistry } from './scan-registry.js'
import { describeLocation, describeTable } from './table-info.js'

/** What the platform gives the API: the codec, and in Node a file-system storage. */
export interface WorkerHost {
  /** Load (once) the Parquet codec of this realm. */
  loadCodec(): Promise<ParquetCodec>
  /** Storage over a local folder, for `node-fs` descriptors; Node workers only. */
  nodeFs?: NodeFsFactory
}

interface OpenTable {
  storageId: string
  engine: Engine
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
      const table = await DeltaTable.open(describeLocation(storage), { ...engine, ...at })
      realmStats().snapshotsLoaded++
      const handle = crypto.randomUUID()
      this.#tables.set(handle, { storageId, engine, table })
      return await describeTable(handle, storageId, table)
    } catch (e) {
      this.#storages.delete(storageId)
      throw e
    }
  }

  async reloadTable(handle: string, req: OpenRequest = {}): Promise<TableInfo> {
    const t = this.#table(handle)
    // loadAsVersion takes a number as a version: a time in milliseconds goes as a Date.
    if (req.timestamp !== undefined) await t.table.loadAsVersion(typeof req.timestamp === 'number' ? new Date(req.timestamp) : req.timestamp)
    else if (req.version !== undefined) await t.table.loadAsVersion(req.version)
    else await t.table.update()
    realmStats().snapshotsLoaded++
    return describeTable(handle, t.storageId, t.table)
  }

  async closeTable(handle: string): Promise<void> {
    const t = this.#tables.get(handle)
    this.#tables.delete(handle)
    if (t) this.#storages.delete(t.storageId)
  }

  async files(handle: string): Promise<AddFileInfo[]> {
    return this.#table(handle).table.files()
  }

  async history(handle: string, limit?: number): Promise<CommitEntry[]> {
    return this.#table(handle).table.history(limit)
  }

  async changes(handle: string, opts: ChangesOptions): Promise<Uint8Array> {
    return toTransferableIpc(await this.#table(handle).table.changes(opts))
  }

  async scan(handle: string, req: ScanRequest = {}): Promise<Uint8Array> {
    const t = this.#table(handle)
    return this.#scan(t.engine, withFiles(DeltaTable.snapshotOf(t.table), req.files), req)
  }

  async planScan(handle: string, req: ScanRequest = {}): Promise<ScanTaskPlan> {
    const snapshot = withFiles(DeltaTable.snapshotOf(this.#table(handle).table), req.files)
    const plan = planScan(snapshot, { columns: req.columns, filter: req.filter })
    const { tableUri, version, protocol, metadata, schema, columnMapping } = snapshot
    const schemaIpc = toTransferableIpc(new Table(toArrowSchema(plan.output)))
    // Plain copies: a structured clone keeps only own properties.
    return { context: { tableUri, version, protocol, metadata, schema, columnMapping }, files: plan.files.map(plainAdd), schemaIpc }
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
    return this.#scan(await this.#engine(storage), contextSnapshot(task.context, task.files), task.request)
  }

  async cancel(scanId: string): Promise<void> {
    this.#scans.cancel(scanId)
  }

  async write(storage: StorageDescriptor, data: Uint8Array, opts: WorkerWriteOptions = {}): Promise<WriteResult> {
    const { root, ...options } = opts
    const engine = await this.#engine(resolveStorage(root ? { ...storage, root } : storage, this.#host.nodeFs))
    // The writer loads on first write only: a read-only worker never pays for it.
    const { writeTable } = await import('../delta/ops/write.js')
    return writeTable(engine, tableFromIPC(data), options)
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

  #table(handle: string): OpenTable {
    const t = this.#tables.get(handle)
    if (!t) throw new DeltaError('InvalidArgument', `no open table '${handle}' in this worker: open the table again`)
    return t
  }

  async #scan(engine: Engine, snapshot: Snapshot, req: ScanRequest): Promise<Uint8Array> {
    const plan = planScan(snapshot, { columns: req.columns, filter: req.filter })
    return this.#scans.run(req.scanId, async (signal) => toTransferableIpc(await executeScan(engine, snapshot, plan, { signal })))
  }
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
  return { ...snapshot, files }
}

/** A snapshot good for reading `files` with: the context plus empty log state it never needs. */
function contextSnapshot(context: ScanContext, files: AddAction[]): Snapshot {
  return {
    ...context,
    files,
    txns: new Map(),
    domains: new Map(),
    commitInfos: new Map(),
    segment: { version: context.version, commits: [] },
  }
}

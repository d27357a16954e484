import type { AddAction } from '../delta/model/actions.js'
import type { ChangesOptions } from '../delta/scan/change-data.js'
import type { CommitEntry } from '../delta/log/history.js'
import type { StructType } from '../delta/model/schema.js'
import type { Storage, StorageCapabilities } from '../delta/engine/storage.js'
import type { FsaDirectoryHandle } from '../storage/fsa-types.js'
import type { HttpOperation, Signer, ListingDialect, ConditionalCreate } from '../storage/http-signer.js'
import type { PlannedScan } from '../api/delta-table.js'
import type {
  AddFileInfo, FilesOptions, PartitionValues, TableMetadata, TableProtocol,
} from '../api/table-api.js'
import type { WriteOptions } from '../delta/write/write-options.js'
import type { WriteResult } from '../delta/ops/write.js'
import type { DeleteOptions, DeleteResult } from '../delta/ops/delete.js'
import type { UpdateOptions, UpdateResult, UpdateValues } from '../delta/ops/update.js'
import type { MaintenanceCall, PlainOptions, Progress } from '../api/maintenance-call.js'
import type { ConvertOptions, ConvertResult } from '../delta/ops/convert/convert.js'
import type { MergeResult, MergeSpec } from '../delta/ops/merge/clauses.js'
import type { AddConstraintOptions, DropConstraintOptions } from '../delta/ops/alter.js'

export type { HttpOperation }

/**
 * HTTP storage whose signer runs where the descriptor was made (the page, where the user's
 * keys or token endpoint live): only the signer function crosses to the worker, as a comlink
 * proxy, and each request asks it for a URL.
 */
export interface HttpStorageDescriptor {
  kind: 'http'
  sign: Signer
  listing: ListingDialect
  conditionalCreate: ConditionalCreate
  write: boolean
  missingIs403?: boolean
  /** The table's folder in the signer's namespace. */
  root?: string
  /** The table's URI (`s3://bucket/table`), for `fileUris()` and absolute paths in the log. */
  uri?: string
}

/** Plain public HTTP (read-only), rebuilt in the worker: no round trip to the page per request. */
export interface PublicHttpStorageDescriptor {
  kind: 'public-http'
  baseUrl: string
  listing?: 's3' | 'none'
  missingIs403?: boolean
  root?: string
  /** The table's URI; `baseUrl` joined with `root` when omitted. */
  uri?: string
}

/** A File System Access folder (picked or OPFS); handles are structured-cloneable. */
export interface FsaStorageDescriptor {
  kind: 'fsa'
  handle: FsaDirectoryHandle
  /** The Web Lock name of the table (see `FsaStorageOptions.lockName`). */
  lockName?: string
  /** A sub-folder of `handle` holding the table. */
  root?: string
  /** The table's URI, if it has one (a folder picked in a page has none). */
  uri?: string
}

/**
 * Any Storage object living where the descriptor was made (a MemoryStorage in tests, a custom
 * adapter): the worker calls it through a comlink proxy, so every operation is a round trip.
 */
export interface ObjectStorageDescriptor {
  kind: 'object'
  storage: Storage
  /** Read once when the descriptor crosses, since the core needs them synchronously. */
  capabilities: StorageCapabilities
  /** A folder of `storage` holding the table. */
  root?: string
  /** The table's URI (`memory://t`, `s3://bucket/table`), for `fileUris()` and absolute paths in the log. */
  uri?: string
}

/** A folder of the local file system; only for workers running in Node. */
export interface NodeFsStorageDescriptor {
  kind: 'node-fs'
  dir: string
  root?: string
  /** The table's URI; the `file:` URI of `dir`/`root` (absolute, percent-encoded) when omitted. */
  uri?: string
}

/**
 * How a worker reaches a table's files: every kind can cross a worker boundary. The worker opens
 * the table under the descriptor's `uri` (or the one it derives for `node-fs` and
 * `public-http`), so `uri` and `fileUris()` agree with the same table opened in this thread;
 * without one they are relative to a label that only names the place in messages.
 */
export type StorageDescriptor =
  | HttpStorageDescriptor
  | PublicHttpStorageDescriptor
  | FsaStorageDescriptor
  | ObjectStorageDescriptor
  | NodeFsStorageDescriptor

/** Which version to open: the latest by default. */
export interface OpenRequest {
  version?: number
  /** Milliseconds since the epoch, or an ISO date: the version the table had then. */
  timestamp?: number | string
  /** Load no file state: files are read per question (see `OpenOptions.withoutFiles`). */
  withoutFiles?: boolean
}

/** What a worker tells about a table it opened; the snapshot itself stays in the worker. */
export interface TableInfo {
  /** Names the snapshot in its worker. */
  handle: string
  /** The id of the table's storage in that worker. */
  storageId: string
  /** The table's URI (see `StorageDescriptor`), else a label naming it: never a signed URL or a secret. */
  uri: string
  version: number
  schema: StructType
  metadata: TableMetadata
  protocol: TableProtocol
  /** Null for a table opened `withoutFiles`. */
  numFiles: number | null
  checkpointVersion: number | null
  appTransactions: Record<string, number>
}

/** What to read. `files` (log paths) narrows the scan to some active files, in that order. */
export interface ScanRequest {
  columns?: string[]
  filter?: string
  files?: string[]
  /** Names the scan for `cancel`; a worker checks it between files. */
  scanId?: string
}

/** The parts of a snapshot a worker needs to read data files without replaying the log. */
export type ScanContext = PlannedScan['context']

/** A scan worked out by the table's worker: the files to read and the result's schema. */
export interface ScanTaskPlan {
  context: ScanContext
  files: AddAction[]
  /** An empty Arrow IPC stream with the result's schema (for a scan that reads no file). */
  schemaIpc: Uint8Array
}

/** A slice of a scan for any worker of the pool. */
export interface ScanTask {
  /** The storage id the receiving worker gave with `attachStorage`. */
  storageId: string
  context: ScanContext
  request: ScanRequest
  files: AddAction[]
}

/** What a worker's realm has done: lets tests prove where decoding and replay ran. */
export interface RealmStats {
  parquetReads: number
  parquetWrites: number
  snapshotsLoaded: number
}

/**
 * Data for a write in a worker: Arrow as IPC streams, one per batch (transferred), or plain
 * objects whose types the worker infers (from the table's schema when it has one).
 */
export type WorkerWriteData = { ipc: Uint8Array[] } | { rows: readonly Record<string, unknown>[] }

/** What a change made through a worker table did, and the table as it is after it. */
export interface WorkerChange<R> {
  result: R
  info: TableInfo
}

/**
 * The typed API every worker exposes with comlink (and the in-process implementation shares).
 * Tables stay in the worker that opened them, named by a handle; results cross as Arrow IPC
 * streams, transferred rather than copied. Every failure is a DeltaError, code intact.
 */
export interface DeltaWorkerApi {
  /** Replay the log and keep the snapshot here; give back its facts and a handle. */
  openTable(storage: StorageDescriptor, req?: OpenRequest): Promise<TableInfo>
  /** Move a handle to another version (or time), the latest when omitted. */
  reloadTable(handle: string, req?: OpenRequest): Promise<TableInfo>
  /** Forget a handle and its storage. */
  closeTable(handle: string): Promise<void>
  /** Whether the storage holds a Delta table. */
  isDeltaTable(storage: StorageDescriptor): Promise<boolean>
  /** The active files, as `DeltaTable.files()` gives them. */
  files(handle: string, opts?: FilesOptions): Promise<AddFileInfo[]>
  /** How many active files, as `DeltaTable.countFiles()` counts them. */
  countFiles(handle: string, opts?: FilesOptions): Promise<number>
  /** The active files as one Arrow IPC stream, as `DeltaTable.filesTable()` gives them. */
  filesTable(handle: string, opts?: FilesOptions): Promise<Uint8Array>
  /** Absolute, decoded URIs of the active files. */
  fileUris(handle: string): Promise<string[]>
  /** The distinct partitions of the active files. */
  partitions(handle: string): Promise<PartitionValues[]>
  /** The number of rows, from statistics when exact. */
  count(handle: string): Promise<number>
  /** The commits still in the log, newest first, at most `limit`. */
  history(handle: string, limit?: number): Promise<CommitEntry[]>
  /** The change data feed as one Arrow IPC stream; the caller races its own signal. */
  changes(handle: string, opts: Omit<ChangesOptions, 'signal'>): Promise<Uint8Array>
  /** Read a table (or some of its files) in this worker alone, as one Arrow IPC stream. */
  scan(handle: string, req?: ScanRequest): Promise<Uint8Array>
  /** Plan a scan for the pool: skip files, name the rest. */
  planScan(handle: string, req?: ScanRequest): Promise<ScanTaskPlan>
  /** Keep a storage here for `readFiles`; returns its id in this worker. */
  attachStorage(storage: StorageDescriptor): Promise<string>
  /** Forget a storage `attachStorage` kept. */
  detachStorage(storageId: string): Promise<void>
  /** Read a slice of a planned scan as one Arrow IPC stream. */
  readFiles(task: ScanTask): Promise<Uint8Array>
  /** Stop a scan: its tasks here reject with `Cancelled` before their next file. */
  cancel(scanId: string): Promise<void>
  /** Write data to the table a storage holds (creating it): encode Parquet here and commit. */
  write(storage: StorageDescriptor, data: WorkerWriteData, opts?: WriteOptions): Promise<WriteResult>
  /** Convert a folder of Parquet files a storage holds into a Delta table, here. */
  convert(storage: StorageDescriptor, opts?: PlainOptions<ConvertOptions>, progress?: (p: Progress) => void, operationId?: string): Promise<ConvertResult>
  /** Write to an open table and move its handle to the new version. */
  writeTable(handle: string, data: WorkerWriteData, opts?: WriteOptions): Promise<WorkerChange<WriteResult>>
  /** Delete rows of an open table and move its handle to the new version. */
  deleteRows(handle: string, predicate?: string, opts?: DeleteOptions): Promise<WorkerChange<DeleteResult>>
  /** Update rows of an open table and move its handle to the version it committed. */
  updateRows(handle: string, values: UpdateValues, opts?: UpdateOptions): Promise<WorkerChange<UpdateResult>>
  /** Merge a source into an open table and move its handle to the version it committed. */
  mergeRows(handle: string, source: WorkerWriteData, spec: MergeSpec): Promise<WorkerChange<MergeResult>>
  /**
   * Run a maintenance operation on an open table and move its handle to where it left the table.
   * `progress` is a proxied callback; `operationId` lets `cancel` stop it between files.
   */
  maintain(handle: string, call: MaintenanceCall, progress?: (p: Progress) => void, operationId?: string): Promise<WorkerChange<unknown>>
  /** Add CHECK constraints to an open table and move its handle to the new version. */
  addConstraint(handle: string, constraints: Record<string, string>, opts?: AddConstraintOptions): Promise<TableInfo>
  /** Drop a CHECK constraint of an open table and move its handle to the new version. */
  dropConstraint(handle: string, name: string, opts?: DropConstraintOptions): Promise<TableInfo>
  /** What this worker's realm decoded, encoded and replayed so far. */
  realmStats(): Promise<RealmStats>
}

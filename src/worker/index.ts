/**
 * Reading and writing Delta tables through workers: a pool of workers running one typed API
 * (comlink), tables whose snapshots stay in a worker, results as Arrow IPC. Browser-safe; the
 * Node pool (worker threads) is in `deltalake/worker/node`.
 * @packageDocumentation
 */
export { DeltaPool, defaultPoolSize } from './pool.js'
export type { PoolWorker } from './pool.js'
export { createBrowserPool } from './browser-pool.js'
export type { BrowserPoolOptions, WebWorkerLike } from './browser-pool.js'
export { createInProcessPool } from './in-process.js'
export type { InProcessPoolOptions } from './in-process.js'
export { createWorkerApi } from './api.js'
export type { WorkerHost } from './api.js'
export { WorkerDeltaTable, writeDeltaLakeInWorker, convertToDeltaLakeInWorker } from './client.js'
export { httpStorageDescriptor, publicHttpStorageDescriptor, fsaStorageDescriptor, objectStorageDescriptor } from './descriptors.js'
export { registerDeltaTransferHandlers } from './transfer.js'
export type {
  DeltaWorkerApi, StorageDescriptor, HttpStorageDescriptor, PublicHttpStorageDescriptor, FsaStorageDescriptor,
  ObjectStorageDescriptor, NodeFsStorageDescriptor, OpenRequest, TableInfo, ScanRequest, ScanContext, ScanTaskPlan,
  ScanTask, RealmStats, WorkerWriteData, WorkerChange,
} from './protocol.js'
export type { FsaDirectoryHandle } from '../storage/fsa-types.js'

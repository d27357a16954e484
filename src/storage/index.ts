/**
 * Storage adapters and test wrappers. NodeFsStorage imports `node:fs`, so import this module only
 * in Node; browser code imports the adapters it needs from their own files.
 */
export { MemoryStorage } from './memory.js'
export type { MemoryStorageOptions } from './memory.js'
export { NodeFsStorage, toDeltaError } from './node-fs.js'
export { CountingStorage } from './counting.js'
export type { CountingOptions, StorageCall, StorageOp } from './counting.js'
export { FailingStorage, isInjectedFailure } from './failing.js'
export type { FailingOptions } from './failing.js'
export { PrefixedStorage } from './prefixed.js'

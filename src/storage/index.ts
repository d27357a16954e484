/**
 * Storage adapters that run anywhere (browser, worker, Node). The Node file system adapter lives
 * in `deltalake/node`; the counting and failing test wrappers in `deltalake/testing`.
 */
export { MemoryStorage } from './memory.js'
export type { MemoryStorageOptions } from './memory.js'
export { PrefixedStorage } from './prefixed.js'
export { FsaStorage } from './fsa.js'
export type { FsaStorageOptions, LockManagerLike } from './fsa.js'
export type { FsaDirectoryHandle, FsaFileHandle, FsaFile, FsaBlob, FsaWritable } from './fsa-types.js'
export { HttpStorage } from './http.js'
export type { HttpStorageOptions, FetchLike, HttpRetryOptions } from './http.js'
export type { ByteRange, StorageRequestOptions } from '../delta/engine/storage.js'
export type { Signer, SignOptions, SignedRequest, HttpOperation, HttpBackend, ListingDialect, ConditionalCreate } from './http-signer.js'
export { s3Signer } from './signers/s3.js'
export type { S3SignerOptions } from './signers/s3.js'
export { azureSasSigner } from './signers/azure.js'
export type { AzureSasSignerOptions } from './signers/azure.js'
export { gcsSigner } from './signers/gcs.js'
export type { GcsSignerOptions, GcsObjectOperation } from './signers/gcs.js'
export { publicHttp } from './signers/public.js'
export type { PublicHttpOptions } from './signers/public.js'

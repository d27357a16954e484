import type { ByteSource, ParquetCodec } from './parquet-codec.js'
import type { Storage } from './storage.js'

/**
 * Everything the protocol core needs from its host: where the bytes live and how to decode
 * Parquet. The core does no I/O of its own, so the same code runs in Node, in a worker and in
 * tests against memory storage.
 */
export interface Engine {
  storage: Storage
  parquet: ParquetCodec
  /**
   * The absolute URI of the table root (`file:///data/t`, `s3://bucket/t`), when known: the log
   * may name files by absolute URI, and those under this root resolve.
   */
  tableUri?: string
}

/** A ByteSource over one file of a Storage, for a codec that reads ranges. */
export function storageSource(storage: Storage, path: string, size: number): ByteSource {
  return {
    size,
    name: path,
    read: (offset, length) => storage.read(path, { offset, length }),
  }
}

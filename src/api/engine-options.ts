import type { ParquetCodec } from '../delta/engine/parquet-codec.js'
import type { Storage } from '../delta/engine/storage.js'

/** Where a table lives, handed in place of what a URI resolves to: its storage and Parquet codec. */
export interface EngineOptions {
  storage?: Storage
  parquet?: ParquetCodec
}

/** A way to stop an operation. */
export interface SignalOptions {
  /**
   * Cancels the operation: every storage request it makes gets this signal, and the operation
   * rejects with `Cancelled` promptly once it is aborted, even while a request hangs.
   */
  signal?: AbortSignal
}

import type { ParquetCodec } from '../delta/engine/parquet-codec.js'
import type { Storage } from '../delta/engine/storage.js'

/** Where a table lives, handed in place of what a URI resolves to: its storage and Parquet codec. */
export interface EngineOptions {
  storage?: Storage
  parquet?: ParquetCodec
}

import type { ParquetCodec } from '../delta/engine/parquet-codec.js'
import { loadParquetCodec } from './codec.js'

let codec: Promise<ParquetCodec> | undefined

/**
 * The parquet-wasm codec for browsers and workers, loaded once per realm and shared. The binary
 * comes from `wasmUrl` when given (first call only), else from next to parquet-wasm's script.
 */
export function browserParquetCodec(wasmUrl?: string | URL): Promise<ParquetCodec> {
  codec ??= loadParquetCodec(wasmUrl === undefined ? undefined : { url: wasmUrl }).catch((e: unknown) => {
    codec = undefined // a failed fetch (offline, wrong URL) may succeed on a later call
    throw e
  })
  return codec
}

import initParquetWasm, { initSync } from 'parquet-wasm/esm'
import type { ParquetCodec } from '../delta/engine/parquet-codec.js'
import { readParquetTable, type ParquetFetchOptions } from './read.js'
import { writeParquetTable } from './write.js'

/**
 * The parquet-wasm binary (`parquet-wasm/esm/parquet_wasm_bg.wasm`), as bytes or a compiled
 * `WebAssembly.Module`. A module is typed `object`, all the DOM lib says of one, so that these
 * declarations type-check without the DOM lib.
 */
export type ParquetWasmModule = ArrayBuffer | ArrayBufferView | object

/**
 * Options of a codec; they tune how bytes are fetched, never what is decoded.
 *
 * What every codec here returns: the file's physical schema, top-level columns in file order
 * (requested names the file lacks are left out), row groups in file order. INT96 columns come
 * back as Timestamp(MICROSECOND) with true values; Parquet TIMESTAMP(NANOS) columns stay
 * Timestamp(NANOSECOND), for the scan to cast to Delta's microseconds.
 */
export type ParquetCodecOptions = ParquetFetchOptions

/**
 * The Parquet codec on parquet-wasm, from a binary already at hand (bytes read with node:fs, a
 * module compiled in the host). Instantiates synchronously; parquet-wasm holds one instance per
 * JS realm, so later calls reuse the first instance whatever module they pass. Browsers refuse
 * synchronous compilation of large modules on the main thread: there, pass a compiled
 * `WebAssembly.Module` or use `loadParquetCodec`.
 */
export function createParquetCodec(wasm: { module: ParquetWasmModule }, options?: ParquetCodecOptions): ParquetCodec {
  initSync({ module: wasm.module as WebAssembly.Module | BufferSource })
  return makeCodec(options)
}

/**
 * The Parquet codec on parquet-wasm, fetching and compiling the binary from `url` (streaming
 * where the host can) or instantiating a given module asynchronously. Without `wasm`, the binary
 * is fetched from next to parquet-wasm's own script (`new URL('parquet_wasm_bg.wasm',
 * import.meta.url)`), which bundlers such as Vite turn into an asset URL. For browsers and workers;
 * Node's fetch cannot load file: URLs, so Node uses `nodeParquetCodec`.
 */
export async function loadParquetCodec(
  wasm?: { url: string | URL } | { module: ParquetWasmModule },
  options?: ParquetCodecOptions,
): Promise<ParquetCodec> {
  await initParquetWasm(wasm && { module_or_path: 'url' in wasm ? wasm.url : (wasm.module as WebAssembly.Module | BufferSource) })
  return makeCodec(options)
}

function makeCodec(options: ParquetCodecOptions | undefined): ParquetCodec {
  return {
    read: (source, opts) => readParquetTable(source, opts, options),
    write: async (table, opts) => writeParquetTable(table, opts),
  }
}

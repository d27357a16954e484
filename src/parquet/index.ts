/**
 * The Parquet codec of the library: parquet-wasm for decoding and encoding, hyparquet for footers
 * and INT96 columns. Platform-neutral; Node callers use `nodeParquetCodec` from `./node.js`.
 */
export { browserParquetCodec } from './browser.js'
export { createParquetCodec, loadParquetCodec, type ParquetCodecOptions, type ParquetWasmModule } from './codec.js'
export type { ParquetFetchOptions } from './read.js'

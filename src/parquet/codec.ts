import initParquetWasm, { initSync, ParquetFile } from 'parquet-wasm/esm'
import type { ParquetCodec } from '../delta/engine/parquet-codec.js'
import { canStartWebWorkers, spawnWebDecoder, type DecoderWasm } from './browser-decoder.js'
import { decodeInRealm, type ParquetDecoder } from './decode-request.js'
import { DecoderPool } from './decoder-pool.js'
import { readParquetBatches, readParquetTable, type ParquetFetchOptions } from './read.js'
import { writeParquetTable } from './write.js'

/**
 * The parquet-wasm binary (`parquet-wasm/esm/parquet_wasm_bg.wasm`), as bytes or a compiled
 * `WebAssembly.Module`. A module is typed `object`, all the DOM lib says of one, so that these
 * declarations type-check without the DOM lib.
 */
export type ParquetWasmModule = ArrayBuffer | ArrayBufferView | object

/**
 * Options of a codec. The fetch options tune how bytes are fetched, never what is decoded.
 *
 * What every codec here returns: the file's physical schema, top-level columns in file order
 * (requested names the file lacks are left out), row groups in file order. INT96 columns come
 * back as Timestamp(MICROSECOND) with true values; Parquet TIMESTAMP(NANOS) columns stay
 * Timestamp(NANOSECOND), for the scan to cast to Delta's microseconds.
 */
export interface ParquetCodecOptions extends ParquetFetchOptions {
  /**
   * Where files are decoded. `worker` (the default wherever workers can start: browsers, their
   * workers, Node): in decoder workers, each decoding one file at a time and replaced when it
   * dies, so a wasm trap on a corrupt file fails that read with `InvalidData` instead of killing
   * the process or leaving the read pending forever. `this-thread`: in the caller's realm, with
   * no such protection (for hosts that cannot start workers).
   */
  decodeIn?: 'worker' | 'this-thread'
  /** Decoder workers at most (they start on demand and stop when idle). */
  decoderWorkers?: number
}

/** Rows per batch of a streamed read when the caller does not say. */
const DEFAULT_BATCH_ROWS = 64 * 1024

/** Decoder workers a codec starts at most by default: enough to overlap a scan's reads. */
export const DEFAULT_DECODER_WORKERS = 4

/**
 * The Parquet codec on parquet-wasm, from a binary already at hand (bytes read with node:fs, a
 * module compiled in the host). Instantiates synchronously; parquet-wasm holds one instance per
 * JS realm, so later calls reuse the first instance whatever module they pass. Browsers refuse
 * synchronous compilation of large modules on the main thread: there, pass a compiled
 * `WebAssembly.Module` or use `loadParquetCodec`. Where Web Workers can start, files are decoded
 * in decoder workers given the same binary (see `ParquetCodecOptions.decodeIn`).
 */
export function createParquetCodec(wasm: { module: ParquetWasmModule }, options?: ParquetCodecOptions): ParquetCodec {
  initSync({ module: wasm.module as WebAssembly.Module | BufferSource })
  return makeCodec(options, webDecoder(options, decoderWasmOf(wasm.module)))
}

/**
 * The Parquet codec on parquet-wasm, fetching and compiling the binary from `url` (streaming
 * where the host can) or instantiating a given module asynchronously. Without `wasm`, the binary
 * is fetched from next to parquet-wasm's own script (`new URL('parquet_wasm_bg.wasm',
 * import.meta.url)`), which bundlers such as Vite turn into an asset URL. For browsers and workers;
 * Node's fetch cannot load file: URLs, so Node uses `nodeParquetCodec`. Files are decoded in
 * decoder workers that load the same binary (see `ParquetCodecOptions.decodeIn`).
 */
export async function loadParquetCodec(
  wasm?: { url: string | URL } | { module: ParquetWasmModule },
  options?: ParquetCodecOptions,
): Promise<ParquetCodec> {
  await initParquetWasm(wasm && { module_or_path: 'url' in wasm ? wasm.url : (wasm.module as WebAssembly.Module | BufferSource) })
  const source = wasm === undefined ? undefined : 'url' in wasm ? absoluteUrl(wasm.url) : decoderWasmOf(wasm.module)
  return makeCodec(options, webDecoder(options, source))
}

/** A codec decoding with `decoder` (the realm's own parquet-wasm when undefined). */
export function makeCodec(options: ParquetCodecOptions | undefined, decoder: ParquetDecoder | undefined): ParquetCodec {
  const { decodeIn: _where, decoderWorkers: _count, ...fetchOptions } = options ?? {}
  const decode = decoder ?? thisRealmDecoder
  return {
    read: (source, opts) => readParquetTable(source, opts, fetchOptions, decode),
    readBatches: (source, opts) => readParquetBatches(source, opts, fetchOptions, decode, opts?.batchRows ?? DEFAULT_BATCH_ROWS),
    write: async (table, opts) => writeParquetTable(table, opts),
  }
}

/** Decodes with this realm's parquet-wasm: a trap here escapes every try/catch. */
export const thisRealmDecoder: ParquetDecoder = {
  decode: (request, readGap) => decodeInRealm({ ParquetFile }, request, readGap),
}

function webDecoder(options: ParquetCodecOptions | undefined, wasm: DecoderWasm): ParquetDecoder | undefined {
  if (options?.decodeIn === 'this-thread' || !canStartWebWorkers()) return undefined
  return new DecoderPool(() => spawnWebDecoder(wasm), { size: options?.decoderWorkers ?? defaultWorkers() })
}

function defaultWorkers(): number {
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency
  return Math.max(1, Math.min(DEFAULT_DECODER_WORKERS, cores ?? 2))
}

// A compiled module crosses to a worker as it is; bytes are sent for it to compile.
function decoderWasmOf(module: ParquetWasmModule): DecoderWasm {
  if (module instanceof WebAssembly.Module || module instanceof ArrayBuffer) return module
  if (ArrayBuffer.isView(module)) return Uint8Array.prototype.slice.call(new Uint8Array(module.buffer, module.byteOffset, module.byteLength)).buffer as ArrayBuffer
  return undefined
}

// A relative URL means relative to the page; the worker would resolve it against its own script.
function absoluteUrl(url: string | URL): string {
  const base = (globalThis as { location?: { href?: string } }).location?.href
  return base === undefined ? String(url) : new URL(url, base).href
}

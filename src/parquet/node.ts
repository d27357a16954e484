import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { initSync } from 'parquet-wasm/esm'
import type { ParquetCodec } from '../delta/engine/parquet-codec.js'
import { DEFAULT_DECODER_WORKERS, makeCodec, type ParquetCodecOptions } from './codec.js'
import type { ParquetDecoder } from './decode-request.js'
import { DecoderPool } from './decoder-pool.js'
import { spawnNodeDecoder } from './node-decoder.js'

let compiled: Promise<WebAssembly.Module> | undefined
let shared: ParquetCodec | undefined
const pools = new Map<number, DecoderPool>()

/**
 * The parquet-wasm codec for Node. The wasm binary is read from the installed package with
 * node:fs (Node's fetch cannot load file: URLs) and compiled once per process. Files are decoded
 * in worker threads (up to `decoderWorkers`, by default the cores up to 4, shared by every codec
 * of the process), so a wasm trap on a corrupt file fails that read with `InvalidData` instead of
 * killing the process; idle threads never keep the process alive. Without options every call
 * returns the same codec; with options, a codec tuned by them.
 */
export async function nodeParquetCodec(options?: ParquetCodecOptions): Promise<ParquetCodec> {
  const module = await compileWasm()
  initSync({ module })
  if (options) return makeCodec(options, nodeDecoder(module, options))
  shared ??= makeCodec(undefined, nodeDecoder(module, {}))
  return shared
}

function nodeDecoder(module: WebAssembly.Module, options: ParquetCodecOptions): ParquetDecoder | undefined {
  if (options.decodeIn === 'this-thread') return undefined
  const size = Math.max(1, Math.floor(options.decoderWorkers ?? Math.min(DEFAULT_DECODER_WORKERS, availableParallelism())))
  let pool = pools.get(size)
  if (!pool) {
    pool = new DecoderPool(() => spawnNodeDecoder(module), { size })
    pools.set(size, pool)
  }
  return pool
}

function compileWasm(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    // createRequire resolves through the package's exports both under plain node and under
    // Vitest, where import.meta.resolve is not always available.
    const path = createRequire(import.meta.url).resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')
    return WebAssembly.compile(await readFile(path))
  })().catch((e: unknown) => {
    compiled = undefined // let a later call retry instead of caching the failure
    throw e
  })
  return compiled
}

import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { ParquetCodec } from '../delta/engine/parquet-codec.js'
import { createParquetCodec, type ParquetCodecOptions } from './codec.js'

let compiled: Promise<WebAssembly.Module> | undefined
let shared: ParquetCodec | undefined

/**
 * The parquet-wasm codec for Node. The wasm binary is read from the installed package with
 * node:fs (Node's fetch cannot load file: URLs) and compiled once per process. Without options
 * every call returns the same codec; with options, a codec tuned by them.
 */
export async function nodeParquetCodec(options?: ParquetCodecOptions): Promise<ParquetCodec> {
  const module = await compileWasm()
  if (options) return createParquetCodec({ module }, options)
  shared ??= createParquetCodec({ module })
  return shared
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

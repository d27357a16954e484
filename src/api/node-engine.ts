import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Engine } from '../delta/engine/engine.js'
import { DeltaError } from '../delta/engine/errors.js'
import { nodeParquetCodec } from '../parquet/node.js'
import { NodeFsStorage } from '../storage/node-fs.js'
import type { EngineOptions } from './resolve-engine.js'

/** The engine for a local folder in Node: the file system and parquet-wasm. */
export async function nodeEngine(uri: string, opts: EngineOptions): Promise<Engine> {
  const parquet = opts.parquet ?? (await nodeParquetCodec())
  if (opts.storage) return { storage: opts.storage, parquet }
  if (/^[a-zA-Z][a-zA-Z0-9+.-]+:\/\//.test(uri) && !uri.startsWith('file://')) {
    throw new DeltaError('InvalidArgument', `cannot open '${uri}' by URI yet: pass { storage } for remote tables`)
  }
  const dir = uri.startsWith('file://') ? fileURLToPath(uri) : resolve(uri)
  return { storage: new NodeFsStorage(dir), parquet }
}

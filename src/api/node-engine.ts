import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Engine } from '../delta/engine/engine.js'
import { DeltaError } from '../delta/engine/errors.js'
import type { FileMeta } from '../delta/engine/storage.js'
import { URI_SCHEME } from '../delta/log/data-path.js'
import { nodeParquetCodec } from '../parquet/node.js'
import { explainMissingLog, NodeFsStorage } from '../storage/node-fs.js'
import type { EngineOptions } from './engine-options.js'

const LOG_DIR = '_delta_log'

/**
 * The file system storage of a table opened by path. It lists as `NodeFsStorage` does, except
 * that a listing of a `_delta_log` folder that does not exist fails with a `NotFound` naming the
 * case and the absolute path (no such path, not a folder, no `_delta_log`), where the reader
 * could only say that the log is absent. Writers treat that NotFound as "no table yet".
 */
export class NodeTableStorage extends NodeFsStorage {
  override async list(dir: string, opts: { startAfter?: string } = {}): Promise<FileMeta[]> {
    const files = await super.list(dir, opts)
    const rel = dir.replace(/\/+$/, '')
    if (files.length > 0 || (rel !== LOG_DIR && !rel.endsWith(`/${LOG_DIR}`))) return files
    const table = rel.slice(0, -LOG_DIR.length).replace(/\/+$/, '')
    const why = await explainMissingLog(table === '' ? this.rootDir : resolve(this.rootDir, ...table.split('/')))
    if (why) throw why
    return files
  }
}

/**
 * The `file:` URI of a local folder, as the table URI of a table there: absolute and
 * percent-encoded (`/data/my table` is `file:///data/my%20table`), with no trailing slash.
 */
export function folderFileUri(dir: string): string {
  return pathToFileURL(resolve(dir)).href.replace(/\/+$/, '')
}

/** The engine for a local folder in Node: the file system and parquet-wasm. */
export async function nodeEngine(uri: string, opts: EngineOptions): Promise<Engine> {
  const parquet = opts.parquet ?? (await nodeParquetCodec())
  const isUri = URI_SCHEME.test(uri)
  if (opts.storage) return { storage: opts.storage, parquet, ...(isUri && { tableUri: uri.replace(/\/+$/, '') }) }
  const isFile = /^file:/i.test(uri)
  if (isUri && !isFile) throw new DeltaError('InvalidArgument', `cannot open '${uri}' by URI yet: pass { storage } for remote tables`)
  const dir = isFile ? fileURLToPath(uri) : resolve(uri)
  // The log may name files by absolute `file:` URI: those under this folder resolve.
  return { storage: new NodeTableStorage(dir), parquet, tableUri: folderFileUri(dir) }
}

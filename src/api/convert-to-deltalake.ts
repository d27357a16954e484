import { convertToDeltaLake as convertFolder, type ConvertOptions, type ConvertResult } from '../delta/ops/convert/convert.js'
import type { EngineOptions } from './engine-options.js'
import { resolveEngine } from './resolve-engine.js'

/** Options of `convertToDeltaLake`: the conversion's, plus where the folder lives when given by URI. */
export interface ConvertToDeltaLakeOptions extends ConvertOptions, EngineOptions {}

/**
 * Turn a folder of Parquet files (Hive-style `key=value` partition folders) into a Delta table at
 * version 0, as delta-rs's `convert_to_deltalake`: the schema from the files (conflicting
 * schemas refused), partition values typed by `partitionBy` (a list of names means strings),
 * stats computed from each file. Partition folders are found by walking the folder where the
 * storage can (local folders, memory); elsewhere pass `files`.
 */
export async function convertToDeltaLake(uri: string, opts: ConvertToDeltaLakeOptions = {}): Promise<ConvertResult> {
  const { storage, parquet, ...convertOpts } = opts
  return convertFolder(await resolveEngine(uri, { storage, parquet }), convertOpts)
}

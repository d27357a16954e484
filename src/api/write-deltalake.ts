import type { WriteData } from '../delta/write/input.js'
import type { WriteOptions } from '../delta/write/write-options.js'
import { writeTable, type WriteResult } from '../delta/ops/write.js'
import type { EngineOptions } from './engine-options.js'
import { resolveEngine } from './resolve-engine.js'
import type { TableApi } from './table-api.js'

/** Options of `writeDeltaLake`: the write's, plus where the table lives when given by URI. */
export interface WriteDeltaLakeOptions extends WriteOptions, EngineOptions {}

/**
 * Write Arrow data (or plain objects) to a Delta table, creating it when needed, as delta-rs's
 * `write_deltalake`: `mode` 'error' (default) refuses an existing table, 'append' adds rows,
 * 'overwrite' replaces the table (or the partitions a `predicate` selects), 'ignore' does
 * nothing when the table exists. Returns the committed version. An open table (`DeltaTable` or
 * `WorkerDeltaTable`) passed in writes through itself and moves to the new version.
 */
export async function writeDeltaLake(target: string | TableApi, data: WriteData, opts: WriteDeltaLakeOptions = {}): Promise<WriteResult> {
  const { storage, parquet, ...writeOpts } = opts
  if (typeof target !== 'string') return target.write(data, writeOpts)
  return writeTable(await resolveEngine(target, { storage, parquet }), data, writeOpts)
}

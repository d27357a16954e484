import { Table } from 'apache-arrow'
import { DeltaError as Err } from '../delta/engine/errors.js'
import { toArrowSchema } from '../delta/arrow/index.js'
import type { StructType } from '../delta/model/schema.js'
import type { WriteData } from '../delta/write/input.js'
import type { WriteOptions } from '../delta/write/write-options.js'
import { loadIfExists, writeTable, type WriteResult } from '../delta/ops/write.js'
import { resolveEngine, type EngineOptions } from './resolve-engine.js'
import { DeltaTable, engineOf } from './delta-table.js'

/** Options of `writeDeltaLake`: the write's, plus where the table lives when given by URI. */
export interface WriteDeltaLakeOptions extends WriteOptions, EngineOptions {}

/**
 * Write Arrow data (or plain objects) to a Delta table, creating it when needed, as delta-rs's
 * `write_deltalake`: `mode` 'error' (default) refuses an existing table, 'append' adds rows,
 * 'overwrite' replaces the table (or the partitions a `predicate` selects), 'ignore' does
 * nothing when the table exists. Returns the committed version. A `DeltaTable` passed in is
 * moved to the new version.
 */
export async function writeDeltaLake(target: string | DeltaTable, data: WriteData, opts: WriteDeltaLakeOptions = {}): Promise<WriteResult> {
  const { storage, parquet, ...writeOpts } = opts
  if (target instanceof DeltaTable) {
    const result = await writeTable(engineOf(target), data, writeOpts)
    await target.update()
    return result
  }
  return writeTable(await resolveEngine(target, { storage, parquet }), data, writeOpts)
}

/** Options of `DeltaTable.create`. */
export interface CreateTableOptions extends EngineOptions {
  schema: StructType
  partitionBy?: string[]
  name?: string
  description?: string
  configuration?: Record<string, string>
  /** 'error' (default) refuses an existing table; 'ignore' leaves it; 'overwrite' replaces it. */
  mode?: 'error' | 'ignore' | 'overwrite'
}

/**
 * Create an empty table with a schema, as delta-rs's `DeltaTable.create`, and open it.
 */
export async function createTable(uri: string, opts: CreateTableOptions): Promise<DeltaTable> {
  const engine = await resolveEngine(uri, opts)
  const existing = await loadIfExists(engine)
  const mode = opts.mode ?? 'error'
  if (existing && mode === 'error') {
    throw new Err('InvalidArgument', `${uri}: a table already exists (version ${existing.version}); pass mode 'ignore' or 'overwrite'`)
  }
  if (!existing || mode === 'overwrite') {
    await writeTable(engine, new Table(toArrowSchema(opts.schema)), {
      mode: 'overwrite', schemaMode: 'overwrite', schema: opts.schema, partitionBy: opts.partitionBy, name: opts.name,
      description: opts.description, configuration: opts.configuration,
    })
  }
  return DeltaTable.open(uri, { storage: engine.storage, parquet: engine.parquet })
}


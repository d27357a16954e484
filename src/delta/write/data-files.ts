import { Table, type RecordBatch } from 'apache-arrow'
import type { AddAction } from '../model/actions.js'
import type { Engine } from '../engine/engine.js'
import type { ParquetWriteOptions } from '../engine/parquet-codec.js'
import type { WriterProperties } from '../txn/options.js'
import { partitionPath } from '../values/partition-value.js'
import type { StructField, StructType } from '../model/schema.js'
import type { ColumnMappingMode } from '../features/column-mapping.js'
import { toPhysicalTable } from './features/column-mapping-assign.js'
import { splitByPartition } from './partition-split.js'
import { collectStats } from '../stats/collect.js'

/** How data files are laid out and encoded. */
export interface DataFileOptions {
  /** The table's logical schema (partition columns included). */
  schema: StructType
  partitionColumns: readonly string[]
  columnMapping: ColumnMappingMode
  /**
   * Start a new file once this many bytes of Arrow data are buffered for a partition. Parquet
   * compresses, so files come out smaller. Default 100 MiB, as delta-rs.
   */
  targetFileSize?: number
  /** How the Parquet files are encoded: compression (default snappy), row group size. */
  writerProperties?: WriterProperties
  /** `delta.dataSkippingNumIndexedCols` / `delta.dataSkippingStatsColumns` of the table. */
  numIndexedCols?: number
  statsColumns?: string[]
  /** Write change data files (`_change_data/cdc-*.parquet`, no stats) instead of data files. */
  changeData?: boolean
}

/** The default target size of a data file in bytes. */
export const DEFAULT_TARGET_FILE_SIZE = 100 * 1024 * 1024

interface Pending {
  values: Record<string, string | null>
  tables: Table[]
  bytes: number
}

/**
 * Writes record batches as Parquet data files, one folder per partition, rolling to a new file
 * when a partition's buffered data reaches the target size, so memory stays bounded by the file
 * size (per open partition), not by the input. Files get unique names and are never committed
 * here: the caller commits the returned add actions.
 */
export class DataFileWriter {
  readonly #engine: Engine
  readonly #opts: Required<Pick<DataFileOptions, 'targetFileSize'>> & DataFileOptions
  readonly #partitionFields: StructField[]
  readonly #dataSchema: StructType
  readonly #pending = new Map<string, Pending>()
  readonly #adds: AddAction[] = []
  #fileCount = 0

  constructor(engine: Engine, opts: DataFileOptions) {
    this.#engine = engine
    this.#opts = { targetFileSize: DEFAULT_TARGET_FILE_SIZE, ...opts }
    this.#partitionFields = opts.partitionColumns.map((c) => opts.schema.fields.find((f) => f.name === c)!)
    this.#dataSchema = { type: 'struct', fields: opts.schema.fields.filter((f) => !opts.partitionColumns.includes(f.name)) }
  }

  /** Paths (relative to the table) of the files written so far, for clean-up after a failure. */
  get writtenPaths(): string[] {
    return this.#adds.map((a) => decodeURI(a.path))
  }

  /** Buffer rows (logical schema, table types), writing files as partitions fill up. */
  async write(table: Table): Promise<void> {
    for (const batch of table.batches) await this.#writeBatch(batch)
  }

  async #writeBatch(batch: RecordBatch): Promise<void> {
    for (const slice of splitByPartition(batch, this.#partitionFields)) {
      let p = this.#pending.get(slice.key)
      if (!p) {
        p = { values: slice.values, tables: [], bytes: 0 }
        this.#pending.set(slice.key, p)
      }
      p.tables.push(slice.table)
      p.bytes += byteSize(slice.table)
      if (p.bytes >= this.#opts.targetFileSize) await this.#flush(slice.key, p)
    }
  }

  /** Write what is still buffered and return the add actions of every file written. */
  async finish(): Promise<AddAction[]> {
    for (const [key, p] of this.#pending) await this.#flush(key, p)
    return this.#adds
  }

  async #flush(key: string, p: Pending): Promise<void> {
    this.#pending.delete(key)
    if (p.tables.length === 0) return
    const batches: RecordBatch[] = p.tables.flatMap((t) => t.batches)
    const table = new Table(batches)
    if (table.numRows === 0) return
    const physical = toPhysicalTable(table, this.#dataSchema, this.#opts.columnMapping)
    const encoding = this.#parquetOptions()
    const bytes = await this.#engine.parquet.write(physical, encoding)
    const cdc = this.#opts.changeData === true
    const dir = [cdc ? '_change_data' : '', partitionPath(this.#opts.partitionColumns, p.values)].filter(Boolean).join('/')
    const name = `${cdc ? 'cdc' : 'part'}-${String(this.#fileCount++).padStart(5, '0')}-${randomUuid()}-c000.${encoding.compression}.parquet`
    const relative = dir ? `${dir}/${name}` : name
    await this.#engine.storage.put(relative, bytes)
    this.#adds.push({
      kind: 'add',
      path: encodeURI(relative),
      partitionValues: p.values,
      size: bytes.length,
      modificationTime: Date.now(),
      dataChange: !cdc,
      stats: cdc ? null : collectStats(table, this.#dataSchema, {
        columnMapping: this.#opts.columnMapping,
        numIndexedCols: this.#opts.numIndexedCols,
        statsColumns: this.#opts.statsColumns,
      }),
    })
  }

  /** The Parquet writer's options, from the writer properties. */
  #parquetOptions(): ParquetWriteOptions & Required<Pick<ParquetWriteOptions, 'compression'>> {
    const props = this.#opts.writerProperties ?? {}
    return {
      compression: props.compression ?? 'snappy',
      ...(props.maxRowGroupSize !== undefined && { rowGroupSize: props.maxRowGroupSize }),
    }
  }
}

function byteSize(table: Table): number {
  let n = 0
  for (const b of table.batches) n += b.data.byteLength
  return n
}

/**
 * Best-effort removal of data files that no commit will reference (a write that failed or lost
 * its commit). Failures are ignored: orphans cost space, never correctness, and vacuum finds them.
 */
export async function discardFiles(engine: Engine, paths: readonly string[]): Promise<void> {
  await Promise.allSettled(paths.map((p) => engine.storage.delete(p)))
}

/** A random v4 UUID; `crypto.randomUUID` exists in browsers, workers and Node 20. */
export function randomUuid(): string {
  return globalThis.crypto.randomUUID()
}

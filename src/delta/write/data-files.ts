import { Table, type RecordBatch } from 'apache-arrow'
import type { AddAction } from '../model/actions.js'
import type { Engine } from '../engine/engine.js'
import type { ParquetWriteOptions } from '../engine/parquet-codec.js'
import type { WriterProperties } from '../txn/options.js'
import { partitionPath } from '../values/partition-value.js'
import type { StructField, StructType } from '../model/schema.js'
import { partitionKeys, type ColumnMappingMode, type PartitionKey } from '../features/column-mapping.js'
import { tableBytes } from './arrow-size.js'
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
   * The size data files aim for, in bytes of Parquet (default 100 MiB, as delta-rs). Input is
   * cut into row ranges to get there, a single large batch included (see {@link DataFileWriter}).
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

/**
 * The most Arrow data buffered for one file, as a multiple of the target size. Parquet is
 * usually several times smaller than Arrow, so a file near the target needs more Arrow than
 * the target; this caps the memory that costs on data that compresses very well.
 */
export const MAX_BUFFER_FACTOR = 4

/** How far above the target a file may come out before its rows are cut and encoded again. */
export const MAX_OVERSHOOT = 1.25

interface Pending {
  /** Serialized partition values by logical column name. */
  values: Record<string, string | null>
  tables: Table[]
  /** Estimated bytes of Arrow data in `tables`. */
  bytes: number
}

/**
 * Writes record batches as Parquet data files, one folder per partition, rolling to a new file
 * when a partition's buffered rows would make a file of the target size. Input is cut into row
 * ranges by their estimated Arrow size (a single large batch becomes several files); the Arrow
 * bytes per Parquet byte are learned from the files written so far (one to one before the
 * first), and a file that still comes out over {@link MAX_OVERSHOOT} times the target is cut
 * and encoded again. At most {@link MAX_BUFFER_FACTOR} times the target of Arrow data is
 * buffered per file, so memory stays bounded by the file size per open partition, not by the
 * input. Every file holds at least one row.
 *
 * Partition values go into the add actions keyed by physical column name, as PROTOCOL.md
 * requires (the logical name without column mapping); partition folders are named the same
 * way, as Spark names them. Partition columns are never stored in the files, data files and
 * change data files alike. Files get unique names and are never committed here: the caller
 * commits the returned add actions.
 */
export class DataFileWriter {
  readonly #engine: Engine
  readonly #opts: Required<Pick<DataFileOptions, 'targetFileSize'>> & DataFileOptions
  readonly #partitionFields: StructField[]
  readonly #partitionKeys: PartitionKey[]
  readonly #dataSchema: StructType
  readonly #pending = new Map<string, Pending>()
  readonly #adds: AddAction[] = []
  #fileCount = 0
  /** Arrow bytes (estimated) and Parquet bytes of the files written so far. */
  #arrowWritten = 0
  #parquetWritten = 0

  constructor(engine: Engine, opts: DataFileOptions) {
    this.#engine = engine
    this.#opts = { ...opts, targetFileSize: opts.targetFileSize ?? DEFAULT_TARGET_FILE_SIZE }
    this.#partitionFields = opts.partitionColumns.map((c) => opts.schema.fields.find((f) => f.name === c)!)
    this.#partitionKeys = partitionKeys(this.#partitionFields, opts.columnMapping)
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
    for (const slice of splitByPartition(batch, this.#partitionFields)) await this.#buffer(slice.key, slice.values, slice.table)
  }

  /** Buffer one partition's rows, writing a file each time they fill one. */
  async #buffer(key: string, values: Record<string, string | null>, table: Table): Promise<void> {
    if (table.numRows === 0) return
    const perRow = tableBytes(table) / table.numRows
    let rest = table
    while (rest.numRows > 0) {
      let p = this.#pending.get(key)
      if (!p) {
        p = { values, tables: [], bytes: 0 }
        this.#pending.set(key, p)
      }
      const limit = this.#bufferLimit()
      const fits = perRow > 0 ? Math.floor((limit - p.bytes) / perRow) : rest.numRows
      if (fits <= 0 && p.tables.length > 0) {
        await this.#flush(key, p)
        continue
      }
      const take = Math.max(fits, 1)
      if (take >= rest.numRows) {
        p.tables.push(rest)
        p.bytes += rest.numRows * perRow
        if (p.bytes >= limit) await this.#flush(key, p)
        return
      }
      p.tables.push(rest.slice(0, take))
      p.bytes += take * perRow
      await this.#flush(key, p)
      rest = rest.slice(take)
    }
  }

  /**
   * Arrow bytes to buffer for one file: the target scaled by the Arrow-per-Parquet ratio of
   * the files written so far (the target itself before the first), at most
   * {@link MAX_BUFFER_FACTOR} times the target.
   */
  #bufferLimit(): number {
    const target = this.#opts.targetFileSize
    if (this.#parquetWritten === 0 || this.#arrowWritten === 0) return target
    return Math.min(MAX_BUFFER_FACTOR * target, target * (this.#arrowWritten / this.#parquetWritten))
  }

  /** Write what is still buffered and return the add actions of every file written. */
  async finish(): Promise<AddAction[]> {
    for (const [key, p] of this.#pending) await this.#flush(key, p)
    return this.#adds
  }

  async #flush(key: string, p: Pending): Promise<void> {
    this.#pending.delete(key)
    const table = new Table(p.tables.flatMap((t) => t.batches))
    if (table.numRows > 0) await this.#writeFile(table, p.values, p.bytes)
  }

  /**
   * Encode rows as one file and store it. When the file comes out more than
   * {@link MAX_OVERSHOOT} times the target (the first file, before any ratio is known, or data
   * that compresses worse than what came before), the rows are cut by the measured size and
   * encoded again, so files stay near the target whatever the estimate said.
   */
  async #writeFile(table: Table, values: Record<string, string | null>, arrowBytes: number): Promise<void> {
    const encoding = this.#parquetOptions()
    const bytes = await this.#engine.parquet.write(toPhysicalTable(table, this.#dataSchema, this.#opts.columnMapping), encoding)
    const target = this.#opts.targetFileSize
    if (bytes.length > target * MAX_OVERSHOOT && table.numRows > 1) {
      const size = Math.ceil(table.numRows / Math.min(table.numRows, Math.ceil(bytes.length / target)))
      for (let at = 0; at < table.numRows; at += size) {
        const rows = Math.min(size, table.numRows - at)
        await this.#writeFile(table.slice(at, at + rows), values, (arrowBytes * rows) / table.numRows)
      }
      return
    }
    this.#arrowWritten += arrowBytes
    this.#parquetWritten += bytes.length
    const cdc = this.#opts.changeData === true
    const partitionValues = Object.fromEntries(this.#partitionKeys.map((k) => [k.key, values[k.field.name] ?? null]))
    const dir = [cdc ? '_change_data' : '', partitionPath(this.#partitionKeys.map((k) => k.key), partitionValues)].filter(Boolean).join('/')
    const name = `${cdc ? 'cdc' : 'part'}-${String(this.#fileCount++).padStart(5, '0')}-${randomUuid()}-c000.${encoding.compression}.parquet`
    const relative = dir ? `${dir}/${name}` : name
    await this.#engine.storage.put(relative, bytes)
    this.#adds.push({
      kind: 'add',
      path: encodeURI(relative),
      partitionValues,
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

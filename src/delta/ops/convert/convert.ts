import { conformTable } from '../../arrow/conform.js'
import { storageSource, type Engine } from '../../engine/engine.js'
import { DeltaError, isDeltaError } from '../../engine/errors.js'
import { throwIfCancelled, type FileMeta } from '../../engine/storage.js'
import { columnMappingMode, MAX_COLUMN_ID_KEY } from '../../features/column-mapping.js'
import { statsSettings } from '../../features/table-config.js'
import { LOG_DIR, parseLogFileName } from '../../log/log-path.js'
import { loadSnapshot } from '../../log/snapshot.js'
import type { AddAction, MetadataAction } from '../../model/actions.js'
import { formatSchema, type PrimitiveType, type StructField, type StructType } from '../../model/schema.js'
import { collectStats } from '../../stats/collect.js'
import { transactionOptions, type TransactionOptions } from '../../txn/options.js'
import { startTransaction } from '../../txn/transaction.js'
import { arrowSchemaToDelta } from '../../write/arrow-to-delta.js'
import { randomUuid } from '../../write/data-files.js'
import { assignColumnMapping } from '../../write/features/column-mapping-assign.js'
import { requiredProtocol } from '../../write/features/protocol-select.js'
import {
  checkOptions, checkString, checkStringMap, fail, isPlainObject, oneOf, TRANSACTION_OPTIONS, type OptionChecks,
} from '../check-options.js'
import { checkProperty } from '../alter/property-checks.js'
import { partitionValuesOf, type PartitionedFile } from './partition-folders.js'

/** Progress of a long operation: `done` of `total` steps of `phase`. */
export interface ConvertProgress {
  done: number
  total: number
  phase: string
}

/** Options of `convertToDeltaLake`, as delta-rs's `convert_to_deltalake`. */
export interface ConvertOptions extends TransactionOptions {
  /**
   * The partition columns and their types, in partition order: `{ year: 'integer' }`, or a list
   * of names, whose values are then strings. Each file must lie in one `column=value` folder
   * per partition column. Default: not partitioned.
   */
  partitionBy?: Record<string, PrimitiveType> | string[]
  /** 'error' (default) refuses a folder that already holds a Delta table; 'ignore' leaves it as it is. */
  mode?: 'error' | 'ignore'
  /** The table's name in its metadata. */
  name?: string
  /** The table's description in its metadata. */
  description?: string
  /**
   * Table properties (`delta.*` and others), checked as `setTableProperties` checks them. Column
   * mapping may be 'name' (the physical names are the column names), not 'id'.
   */
  configuration?: Record<string, string>
  /**
   * The Parquet files to convert, as storage paths relative to the table root
   * (`year=2024/part-0.parquet`). A Storage lists no folders, so a partitioned folder needs
   * its files named here (from the platform's recursive listing). Default: the `.parquet`
   * files directly under the root. Paths with a part starting with `_` or `.` are skipped,
   * as Spark skips hidden files.
   */
  files?: readonly string[]
  /** Called after each file's footer and statistics are read. */
  onProgress?: (p: ConvertProgress) => void
  /** Stops the conversion between files with `Cancelled`; nothing is written before the commit. */
  signal?: AbortSignal
}

/** The options `convertToDeltaLake` accepts. */
export const CONVERT_OPTIONS: OptionChecks = {
  partitionBy: (v, key) => {
    if (Array.isArray(v) ? !v.every((c) => typeof c === 'string') : !isPlainObject(v) || !Object.values(v).every((t) => typeof t === 'string')) {
      fail(key, v, "a list of column names, or an object of column: type, such as { year: 'integer' }")
    }
  },
  mode: oneOf(['error', 'ignore']),
  name: checkString,
  description: checkString,
  configuration: checkStringMap,
  files: (v, key) => { if (!Array.isArray(v) || !v.every((p) => typeof p === 'string')) fail(key, v, 'an array of file paths') },
  onProgress: (v, key) => { if (typeof v !== 'function') fail(key, v, 'a function') },
  signal: (v, key) => { if (!(typeof v === 'object' && v !== null && 'aborted' in v)) fail(key, v, 'an AbortSignal') },
  ...TRANSACTION_OPTIONS,
}

// Partition columns may only have types a folder name can hold.
const PARTITION_TYPES = new Set(['string', 'byte', 'short', 'integer', 'long', 'float', 'double', 'boolean', 'date', 'timestamp', 'timestamp_ntz', 'binary'])

/** What a conversion did. */
export interface ConvertResult {
  /** The table's version: 0, or the existing table's with mode 'ignore'. */
  version: number
  /** Parquet files that became the table's files (0 when mode 'ignore' found a table). */
  numConvertedFiles: number
}

/** A file read: where it is, its rows' schema, and its add action. */
interface ReadFile {
  path: string
  schema: StructType
  add: AddAction
}

/**
 * Make a folder of Parquet files a Delta table, as delta-rs's `convert_to_deltalake` and
 * Spark's `CONVERT TO DELTA`: version 0 adds every file in place (nothing is rewritten). The
 * schema comes from the files (all must agree, else `SchemaMismatch` naming two that differ),
 * partition columns (typed by `partitionBy`) from the `column=value` folders, and each file's
 * statistics (row count, min/max, null counts) from its rows. A folder whose `_delta_log`
 * already holds a table is refused (mode 'error') or left alone (mode 'ignore'). Records
 * commitInfo as Spark's `CONVERT`.
 */
export async function convertToDeltaLake(engine: Engine, opts: ConvertOptions = {}): Promise<ConvertResult> {
  checkOptions('convert', opts, CONVERT_OPTIONS)
  const partitionTypes = partitionTypesOf(opts.partitionBy)
  const configuration = { ...opts.configuration }
  for (const [key, value] of Object.entries(configuration)) checkProperty(key, value, false)
  const mapping = columnMappingMode({ configuration })
  if (mapping === 'id') throw new DeltaError('InvalidArgument', "a converted table cannot use column mapping mode 'id': its Parquet files carry no field ids; use 'name'")
  const existing = await existingVersion(engine)
  if (existing !== undefined) {
    if (opts.mode === 'ignore') return { version: existing, numConvertedFiles: 0 }
    throw new DeltaError('InvalidArgument', `a Delta table already exists here (version ${existing}); convert only a folder of plain Parquet files`)
  }
  const files = (await parquetFiles(engine, opts.files)).map((f) => ({ meta: f, ...partitionValuesOf(f.path, partitionTypes) }))
  if (files.length === 0) throw new DeltaError('InvalidArgument', 'there are no Parquet files to convert' + (opts.files ? '' : ' directly under the table root; name partitioned files with the files option'))
  const read: ReadFile[] = []
  for (const f of files) {
    throwIfCancelled(opts.signal, 'The conversion')
    read.push(await readFile(engine, f, f.meta, read[0], configuration))
    opts.onProgress?.({ done: read.length, total: files.length, phase: 'read' })
  }
  throwIfCancelled(opts.signal, 'The conversion')
  let schema = tableSchema(read, partitionTypes)
  if (mapping === 'name') {
    const assigned = assignColumnMapping(schema, 0, { physicalNames: 'name' })
    schema = assigned.schema
    configuration[MAX_COLUMN_ID_KEY] = String(assigned.maxColumnId)
  }
  const partitionColumns = Object.keys(partitionTypes)
  const metadata: MetadataAction = {
    kind: 'metaData', id: randomUuid(), name: opts.name ?? null, description: opts.description ?? null,
    format: { provider: 'parquet', options: {} }, schemaString: formatSchema(schema), partitionColumns, configuration, createdTime: Date.now(),
  }
  const txn = startTransaction(engine, undefined, { ...transactionOptions(opts), operation: 'CONVERT' })
    .setMetadata(metadata)
  txn.setProtocol(requiredProtocol({ schema, configuration, partitionColumns }))
    .addFiles(read.map((r) => r.add))
    .withOperationParameters({ numFiles: read.length, partitionedBy: JSON.stringify(partitionColumns), collectStats: true })
    .withOperationMetrics({ numConvertedFiles: read.length })
  const committed = await txn.commit()
  return { version: committed.version, numConvertedFiles: read.length }
}

/** Partition column -> type; a list means strings. Unknown or non-primitive types are refused. */
function partitionTypesOf(partitionBy: ConvertOptions['partitionBy']): Record<string, PrimitiveType> {
  if (partitionBy === undefined) return {}
  const entries: [string, string][] = Array.isArray(partitionBy) ? partitionBy.map((c) => [c, 'string']) : Object.entries(partitionBy)
  const out: Record<string, PrimitiveType> = {}
  for (const [column, type] of entries) {
    if (column === '' || column in out) throw new DeltaError('InvalidArgument', `partitionBy names column '${column}' ${column === '' ? '(an empty name)' : 'twice'}`)
    if (!PARTITION_TYPES.has(type) && !/^decimal\(\d+,\s*\d+\)$/.test(type)) {
      throw new DeltaError('InvalidArgument', `partition column '${column}' has type '${type}'; partition types are ${[...PARTITION_TYPES].join(', ')} and decimal(p,s)`)
    }
    out[column] = type as PrimitiveType
  }
  return out
}

/** The latest version when `_delta_log` holds a table (a commit or a checkpoint), else undefined. */
async function existingVersion(engine: Engine): Promise<number | undefined> {
  let listing
  try {
    listing = await engine.storage.list(LOG_DIR)
  } catch (e) {
    // A storage that explains a missing log (a local folder opened as a table) means: no table.
    if (isDeltaError(e, 'NotFound')) return undefined
    throw e
  }
  const hasTable = listing.some((f) => {
    const kind = parseLogFileName(f.path.slice(f.path.lastIndexOf('/') + 1))?.kind
    return kind === 'commit' || kind === 'checkpoint'
  })
  return hasTable ? (await loadSnapshot(engine)).version : undefined
}

function isHidden(path: string): boolean {
  return path.split('/').some((part) => part.startsWith('_') || part.startsWith('.'))
}

/** The files to convert with their sizes and times: the named ones, or every `.parquet` file under the root. */
async function parquetFiles(engine: Engine, named: readonly string[] | undefined): Promise<FileMeta[]> {
  if (!named) {
    // Partition folders are found where the storage walks folders; else only the root's files.
    const { storage } = engine
    const all = storage.capabilities.listTree && storage.listTree ? await storage.listTree('') : await storage.list('')
    return all.filter((f) => f.path.endsWith('.parquet') && !isHidden(f.path))
  }
  const unique = [...new Set(named)].filter((p) => !isHidden(p)).sort()
  return Promise.all(unique.map(async (path) => {
    const meta = await engine.storage.head(path)
    if (!meta) throw new DeltaError('NotFound', `no file at '${path}' (named in files)`)
    return meta
  }))
}

/**
 * Read one file: its schema (checked against the first file's), and its add action with stats
 * computed from its rows, under the first file's schema.
 */
async function readFile(engine: Engine, file: PartitionedFile, meta: FileMeta, first: ReadFile | undefined, configuration: Record<string, string>): Promise<ReadFile> {
  const table = await engine.parquet.read(storageSource(engine.storage, file.path, meta.size))
  let schema: StructType
  try {
    schema = arrowSchemaToDelta(table.schema)
  } catch (e) {
    if (!isDeltaError(e)) throw e
    throw new DeltaError(e.code, `'${file.path}': ${e.message}`, { cause: e })
  }
  const clash = Object.keys(file.partitionValues).find((c) => schema.fields.some((f) => f.name.toLowerCase() === c.toLowerCase()))
  if (clash) throw new DeltaError('SchemaMismatch', `'${file.path}' holds a column '${clash}', which is also a partition column of its folder`)
  if (first) checkSameSchema(first, file.path, schema)
  const statsSchema = first?.schema ?? schema
  const rows = conformTable(table, statsSchema, { columnMapping: 'none' })
  const stats = collectStats(rows, statsSchema, { columnMapping: 'none', ...statsSettings(configuration) })
  const add: AddAction = {
    kind: 'add', path: encodeURI(file.path), partitionValues: file.partitionValues, size: meta.size,
    modificationTime: meta.lastModified, dataChange: true, stats,
  }
  return { path: file.path, schema, add }
}

/** Refuse a file whose columns (names and types; nullability may differ) are not the first file's. */
function checkSameSchema(first: ReadFile, path: string, schema: StructType): void {
  const describe = (s: StructType) => s.fields.map((f) => `${f.name}: ${JSON.stringify(f.type)}`).sort()
  const a = describe(first.schema)
  const b = describe(schema)
  if (a.length === b.length && a.every((x, i) => x === b[i])) return
  const only = (x: string[], y: string[]) => x.filter((d) => !y.includes(d))
  throw new DeltaError('SchemaMismatch', `the Parquet files do not share one schema: '${first.path}' has ${only(a, b).join(', ') || 'no other column'} where '${path}' has ${only(b, a).join(', ') || 'no other column'}`)
}

/** The table schema: the files' columns (nullable when any file allows nulls), then the partition columns. */
function tableSchema(files: readonly ReadFile[], partitionTypes: Readonly<Record<string, PrimitiveType>>): StructType {
  const fields: StructField[] = files[0]!.schema.fields.map((f) => ({
    ...f, nullable: files.some((r) => r.schema.fields.find((g) => g.name === f.name)!.nullable),
  }))
  for (const [name, type] of Object.entries(partitionTypes)) fields.push({ name, type, nullable: true, metadata: {} })
  return { type: 'struct', fields }
}

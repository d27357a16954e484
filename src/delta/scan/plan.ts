import type { AddAction } from '../model/actions.js'
import { DeltaError } from '../engine/errors.js'
import { checkExprDepth, columnsOf, mayMatchFile, parseFilter, type Expr } from '../expr/index.js'
import { parsePartitionValue } from '../values/partition-value.js'
import type { Scalar } from '../model/scalar.js'
import { findField, type StructField, type StructType } from '../model/schema.js'
import type { Snapshot } from '../log/snapshot.js'
import type { ActiveFiles } from '../files/active-files.js'
import { fileStats } from '../stats/file-stats.js'
import { lookupPartitionValue, partitionKeys, type PartitionKey } from '../features/column-mapping.js'

/** What to read: which columns, which rows. */
export interface ScanOptions {
  /** Top-level columns to return, in this order; all when omitted. */
  columns?: string[]
  /** A predicate such as `"year = 2024 AND value > 3"`; rows where it is not TRUE are dropped. */
  filter?: string | Expr
}

/** A scan worked out from a snapshot and options, before any data is read. */
export interface ScanPlan {
  /** The columns the result has, in order. */
  output: StructType
  /** Output columns plus those the filter needs, in schema order. */
  read: StructType
  /** Partition columns by logical name. */
  partitionColumns: Set<string>
  filter?: Expr
  /** Files that may hold matching rows. */
  files: AddAction[]
  /** How many active files the plan skipped. */
  skipped: number
}

/** Work out a scan: resolve columns, parse the filter once, and skip files that cannot match. */
export function planScan(snapshot: PlanSource, opts: ScanOptions = {}): ScanPlan {
  const schema = snapshot.schema
  const output = selectColumns(schema, opts.columns)
  const filter = typeof opts.filter === 'string' ? parseFilter(opts.filter, schema) : opts.filter
  // A tree built in code gets the depth limit that parsed text has.
  if (filter && typeof opts.filter !== 'string') checkExprDepth(filter)
  const needed = new Set(output.fields.map((f) => f.name))
  if (filter) for (const path of columnsOf(filter)) needed.add(path[0]!)
  const read: StructType = { type: 'struct', fields: schema.fields.filter((f) => needed.has(f.name)) }
  const partitionColumns = partitionColumnNames(snapshot)
  const all = snapshot.files
  const files = filter ? all.filter((add) => fileMayMatch(snapshot, add, filter)) : Array.isArray(all) ? all : all.toArray()
  return { output, read, partitionColumns: new Set(partitionColumns), filter, files, skipped: all.length - files.length }
}

/** What a scan is planned from: a snapshot, or a read context with the files to read. */
export type PlanSource = Pick<Snapshot, 'metadata' | 'schema' | 'columnMapping'> & { files: ActiveFiles | AddAction[] }

/**
 * Whether a file of the snapshot may hold rows matching `expr`, judged from its partition values
 * and stats alone: false only when it certainly holds none. The one such test, shared by scans
 * (file skipping), overwrites with a predicate, deletes and the conflict checks of their commits.
 */
export function fileMayMatch(snapshot: Pick<Snapshot, 'metadata' | 'schema' | 'columnMapping'>, add: AddAction, expr: Expr): boolean {
  const partitionColumns = partitionColumnNames(snapshot)
  return mayMatchFile(expr, {
    partitionValues: (name: string) => (partitionColumns.has(name) ? partitionValuesOf(snapshot, add).get(name) ?? null : undefined),
    stats: fileStats(snapshot, add),
  })
}

const partitionNameCache = new WeakMap<object, ReadonlySet<string>>()

/** The partition columns by their logical (schema) names; computed once per metadata. */
function partitionColumnNames(snapshot: Pick<Snapshot, 'metadata' | 'schema'>): ReadonlySet<string> {
  let names = partitionNameCache.get(snapshot.metadata)
  if (!names) {
    names = new Set(snapshot.metadata.partitionColumns.map((c) => findField(snapshot.schema, c)?.name ?? c))
    partitionNameCache.set(snapshot.metadata, names)
  }
  return names
}

function selectColumns(schema: StructType, columns: string[] | undefined): StructType {
  if (!columns) return schema
  const fields: StructField[] = columns.map((c) => {
    const f = findField(schema, c)
    if (!f) {
      throw new DeltaError('InvalidArgument', `column '${c}' is not in the table; its columns are ${schema.fields.map((x) => x.name).join(', ')}`)
    }
    return f
  })
  return { type: 'struct', fields }
}

const partitionCache = new WeakMap<object, Map<string, Scalar | null>>()

type PartitionSource = Pick<Snapshot, 'metadata' | 'schema' | 'columnMapping'>

/** The fields of the partition columns, found as `findField` finds columns; InvalidLog if absent. */
export function partitionFields(snapshot: PartitionSource): StructField[] {
  return snapshot.metadata.partitionColumns.map((col) => {
    const field = findField(snapshot.schema, col)
    if (!field) throw new DeltaError('InvalidLog', `partition column '${col}' is not in the schema`)
    return field
  })
}

const keyCache = new WeakMap<object, { mode: string; keys: PartitionKey[] }>()

/**
 * Where the partition columns' values are found in a file's `partitionValues` (by physical
 * name, reading logical keys that older writers of ours wrote: see {@link partitionKeys});
 * computed once per metadata. Every reader of partition values goes through here: scans,
 * file skipping, `partitions()`, deletes, overwrites, conflict checks, checkpoints and the
 * change data feed.
 */
export function partitionKeysOf(snapshot: PartitionSource): PartitionKey[] {
  const cached = keyCache.get(snapshot.metadata)
  if (cached && cached.mode === snapshot.columnMapping) return cached.keys
  const keys = partitionKeys(partitionFields(snapshot), snapshot.columnMapping)
  keyCache.set(snapshot.metadata, { mode: snapshot.columnMapping, keys })
  return keys
}

/** A file's partition values as the log writes them (strings, null for null), in partition column order. */
export function rawPartitionValues(snapshot: PartitionSource, add: { partitionValues?: Record<string, string | null> | null }): (string | null)[] {
  return partitionKeysOf(snapshot).map((k) => lookupPartitionValue(add.partitionValues, k))
}

/**
 * The typed partition values of a file, by logical column name (see {@link partitionKeysOf}
 * for the keys the log uses).
 */
export function partitionValuesOf(snapshot: PartitionSource, add: { partitionValues?: Record<string, string | null> | null }): Map<string, Scalar | null> {
  let values = partitionCache.get(add)
  if (values) return values
  values = new Map()
  for (const k of partitionKeysOf(snapshot)) values.set(k.field.name, parsePartitionValue(lookupPartitionValue(add.partitionValues, k), k.field.type))
  partitionCache.set(add, values)
  return values
}

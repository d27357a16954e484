import type { AddAction } from '../model/actions.js'
import { DeltaError } from '../engine/errors.js'
import { columnsOf, mayMatchFile, parseFilter, type Expr } from '../expr/index.js'
import { parsePartitionValue } from '../values/partition-value.js'
import type { Scalar } from '../model/scalar.js'
import { findField, type StructField, type StructType } from '../model/schema.js'
import type { Snapshot } from '../log/snapshot.js'
import { fileStats } from '../stats/file-stats.js'
import { physicalName } from '../features/column-mapping.js'

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
export function planScan(snapshot: Pick<Snapshot, 'files' | 'metadata' | 'schema' | 'columnMapping'>, opts: ScanOptions = {}): ScanPlan {
  const schema = snapshot.schema
  const output = selectColumns(schema, opts.columns)
  const filter = typeof opts.filter === 'string' ? parseFilter(opts.filter, schema) : opts.filter
  const needed = new Set(output.fields.map((f) => f.name))
  if (filter) for (const path of columnsOf(filter)) needed.add(path[0]!)
  const read: StructType = { type: 'struct', fields: schema.fields.filter((f) => needed.has(f.name)) }
  const partitionColumns = partitionColumnNames(snapshot)
  const files = filter ? snapshot.files.filter((add) => fileMayMatch(snapshot, add, filter)) : snapshot.files
  return { output, read, partitionColumns: new Set(partitionColumns), filter, files, skipped: snapshot.files.length - files.length }
}

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

/**
 * A file's partition value of one column as the log writes it (a string, null for null). Under
 * column mapping the log keys it by physical name; a value keyed by the logical name is taken
 * when the physical one is absent, as some writers key it so. Missing is null.
 */
export function rawPartitionValue(snapshot: Pick<Snapshot, 'columnMapping'>, add: { partitionValues?: Record<string, string | null> | null }, field: StructField): string | null {
  const given = add.partitionValues ?? {}
  const key = physicalName(field, snapshot.columnMapping)
  if (Object.hasOwn(given, key)) return given[key] ?? null
  return Object.hasOwn(given, field.name) ? given[field.name] ?? null : null
}

/**
 * The typed partition values of a file, by logical column name (see {@link rawPartitionValue}
 * for the key the log uses).
 */
export function partitionValuesOf(snapshot: PartitionSource, add: { partitionValues?: Record<string, string | null> | null }): Map<string, Scalar | null> {
  let values = partitionCache.get(add)
  if (values) return values
  values = new Map()
  for (const field of partitionFields(snapshot)) values.set(field.name, parsePartitionValue(rawPartitionValue(snapshot, add, field), field.type))
  partitionCache.set(add, values)
  return values
}

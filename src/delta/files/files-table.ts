import { Data, Field, makeData, makeVector, Struct, Table, type Vector } from 'apache-arrow'
import { vectorFromScalars } from '../arrow/build-vector.js'
import type { Scalar } from '../model/scalar.js'
import type { DeltaType } from '../model/schema.js'
import type { Snapshot } from '../log/snapshot.js'
import { partitionFields, partitionValuesOf } from '../scan/plan.js'
import { fileStats } from '../stats/file-stats.js'

type Source = Pick<Snapshot, 'files' | 'schema' | 'metadata' | 'columnMapping'>

/**
 * The active files as one Arrow table, a row per file, as delta-rs's `get_add_actions()` gives
 * them: `path`, `size_bytes`, `modification_time` (UTC timestamp), `data_change`,
 * `partition_values` (a struct of the partition columns, typed, by logical name; partitioned
 * tables only), `num_records`, and `null_count`, `min`, `max` (structs over the top-level
 * primitive data columns, typed as the columns are; null where the file's stats do not say),
 * then `deletion_vector` (storage type, path or inline data, offset, size, cardinality) when
 * some file has one. Files are read one at a time from the snapshot's columns, so the only
 * large thing built is the table itself.
 */
export function buildFilesTable(snapshot: Source): Table {
  const statsFields = snapshot.schema.fields.filter((f) => typeof f.type === 'string' && !snapshot.metadata.partitionColumns.includes(f.name))
  const parts = partitionFields(snapshot)
  const cols = new FileColumns(parts.length, statsFields.length)
  for (const add of snapshot.files) {
    cols.path.push(add.path)
    cols.size.push(BigInt(add.size))
    cols.time.push(BigInt(add.modificationTime) * 1000n)
    cols.change.push(add.dataChange)
    const values = partitionValuesOf(snapshot, add)
    parts.forEach((f, k) => cols.partitions[k]!.push(values.get(f.name) ?? null))
    const stats = fileStats(snapshot, add)
    const rows = stats?.numRecords
    cols.records.push(rows === undefined ? null : BigInt(rows))
    statsFields.forEach((f, k) => {
      const path = [f.name]
      const nulls = stats?.nullCount(path)
      cols.nulls[k]!.push(nulls === undefined ? null : BigInt(nulls))
      cols.mins[k]!.push(stats?.min(path, f.type) ?? null)
      cols.maxes[k]!.push(stats?.max(path, f.type) ?? null)
    })
    cols.pushDeletionVector(add.deletionVector ?? null)
  }
  const n = cols.path.length
  const columns: Record<string, Vector> = {
    path: vectorFromScalars(cols.path, 'string'),
    size_bytes: vectorFromScalars(cols.size, 'long'),
    modification_time: vectorFromScalars(cols.time, 'timestamp'),
    data_change: vectorFromScalars(cols.change, 'boolean'),
  }
  if (parts.length > 0) columns.partition_values = structVector(n, parts.map((f, k) => [f.name, vectorFromScalars(cols.partitions[k]!, f.type as DeltaType)]))
  columns.num_records = vectorFromScalars(cols.records, 'long')
  columns.null_count = structVector(n, statsFields.map((f, k) => [f.name, vectorFromScalars(cols.nulls[k]!, 'long')]))
  columns.min = structVector(n, statsFields.map((f, k) => [f.name, vectorFromScalars(cols.mins[k]!, f.type as DeltaType)]))
  columns.max = structVector(n, statsFields.map((f, k) => [f.name, vectorFromScalars(cols.maxes[k]!, f.type as DeltaType)]))
  if (cols.dv.cardinality.some((c) => c !== null)) {
    columns.deletion_vector = structVector(n, [
      ['storage_type', vectorFromScalars(cols.dv.storageType, 'string')],
      ['path_or_inline_dv', vectorFromScalars(cols.dv.path, 'string')],
      ['offset', vectorFromScalars(cols.dv.offset, 'integer')],
      ['size_in_bytes', vectorFromScalars(cols.dv.size, 'integer')],
      ['cardinality', vectorFromScalars(cols.dv.cardinality, 'long')],
    ])
  }
  return new Table(columns)
}

/** The values of each output column, gathered file by file. */
class FileColumns {
  readonly path: string[] = []
  readonly size: bigint[] = []
  readonly time: bigint[] = []
  readonly change: boolean[] = []
  readonly records: (bigint | null)[] = []
  readonly partitions: (Scalar | null)[][]
  readonly nulls: (bigint | null)[][]
  readonly mins: (Scalar | null)[][]
  readonly maxes: (Scalar | null)[][]
  readonly dv = {
    storageType: [] as (string | null)[], path: [] as (string | null)[], offset: [] as (number | null)[],
    size: [] as (number | null)[], cardinality: [] as (bigint | null)[],
  }

  constructor(partitions: number, stats: number) {
    const lists = <T>(k: number): T[][] => Array.from({ length: k }, () => [])
    this.partitions = lists(partitions)
    this.nulls = lists(stats)
    this.mins = lists(stats)
    this.maxes = lists(stats)
  }

  pushDeletionVector(dv: { storageType: string; pathOrInlineDv: string; offset?: number | null; sizeInBytes: number; cardinality: number } | null): void {
    this.dv.storageType.push(dv?.storageType ?? null)
    this.dv.path.push(dv?.pathOrInlineDv ?? null)
    this.dv.offset.push(dv?.offset ?? null)
    this.dv.size.push(dv?.sizeInBytes ?? null)
    this.dv.cardinality.push(dv ? BigInt(dv.cardinality) : null)
  }
}

/** A struct column of `length` rows, never null itself, from named child vectors. */
function structVector(length: number, children: [string, Vector][]): Vector<Struct> {
  const type = new Struct(children.map(([name, v]) => new Field(name, v.type, true)))
  const data: Data<Struct> = makeData({ type, length, nullCount: 0, children: children.map(([, v]) => v.data[0]!) })
  return makeVector(data)
}


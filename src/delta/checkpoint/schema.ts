import { Data, Field, Struct, type DataType } from 'apache-arrow'
import type {
  AddAction, CheckpointMetadataAction, DeletionVectorDescriptor, DomainMetadataAction, MetadataAction, ProtocolAction, RemoveAction,
  SidecarAction, TxnAction,
} from '../model/actions.js'
import { newBitmap, setBit } from '../arrow/bitmap.js'
import { decimal128Writer } from '../arrow/decimal.js'
import { toArrowType } from '../arrow/types.js'
import type { Scalar } from '../model/scalar.js'
import type { PrimitiveType } from '../model/schema.js'

/**
 * One column of a checkpoint struct: its name, its Arrow type, and how to build it from the
 * items of one action kind. Columns are built one field at a time over all items (typed arrays
 * and one byte buffer per string column), never as row objects, so a checkpoint of a million
 * files costs a few buffers per field, not a million objects.
 */
export interface ColumnSpec<T> {
  readonly name: string
  readonly type: DataType
  /** The column for `items`, in order; a null or undefined item gives a null row. */
  build(items: readonly (T | null | undefined)[]): Data
}

type Getter<T, V> = (item: T) => V | null | undefined

const STRING_MAP = toArrowType({ type: 'map', keyType: 'string', valueType: 'string', valueContainsNull: true })
const STRING_LIST = toArrowType({ type: 'array', elementType: 'string', containsNull: true })

/** A column of a Delta primitive type; values have the JavaScript form of `scalar.ts` (longs may be numbers). */
export function column<T>(name: string, type: PrimitiveType, get: Getter<T, Scalar>): ColumnSpec<T> {
  return { name, type: toArrowType(type), build: (items) => primitiveData(type, items.length, (i) => valueOf(items[i], get)) }
}

/** A `map<string,string>` column (partitionValues, tags, configuration, format options). */
export function mapColumn<T>(name: string, get: Getter<T, Readonly<Record<string, string | null>>>): ColumnSpec<T> {
  return {
    name,
    type: STRING_MAP,
    build: (items) => nestedData(STRING_MAP, items.length, (i) => valueOf(items[i], get), (m, keys, values) => {
      for (const [k, v] of Object.entries(m)) {
        keys.push(k)
        values.push(v ?? null)
      }
    }),
  }
}

/** An `array<string>` column (partitionColumns, reader and writer features). */
export function listColumn<T>(name: string, get: Getter<T, readonly string[]>): ColumnSpec<T> {
  return {
    name,
    type: STRING_LIST,
    build: (items) => nestedData(STRING_LIST, items.length, (i) => valueOf(items[i], get), (list, _, values) => {
      for (const v of list) values.push(v)
    }),
  }
}

/** A struct column whose fields are built from the value `get` picks out of each item. */
export function structColumn<T, U>(name: string, fields: readonly ColumnSpec<U>[], get: Getter<T, U>): ColumnSpec<T> {
  const type = structTypeOf(fields)
  return { name, type, build: (items) => structData(type, fields, items.map((item) => valueOf(item, get))) }
}

/** The Arrow struct type of a list of columns (every field nullable, as checkpoints write them). */
export function structTypeOf<T>(fields: readonly ColumnSpec<T>[]): Struct {
  return new Struct(fields.map((f) => new Field(f.name, f.type, true)))
}

/** A struct column built from `items`, each field by its spec; null items are null rows. */
export function structData<T>(type: Struct, fields: readonly ColumnSpec<T>[], items: readonly (T | null | undefined)[]): Data {
  const n = items.length
  const { nulls, validity } = visitRows(n, (i) => items[i] ?? null, () => {})
  const children = fields.map((f) => f.build(items))
  return new Data(type, 0, n, nulls, [undefined, undefined, validity], children)
}

function valueOf<T, V>(item: T | null | undefined, get: Getter<T, V>): V | null {
  return item === null || item === undefined ? null : get(item) ?? null
}

/**
 * Walk `n` rows once: each non-null value goes to `put`, and `after(i)` runs after every row
 * (to close its offsets). Gives the null count and the validity bitmap, left out (undefined)
 * when no row is null, as Arrow allows.
 */
function visitRows<V>(
  n: number, get: (i: number) => V | null, put: (i: number, v: V) => void, after?: (i: number) => void,
): { nulls: number; validity: Uint8Array | undefined } {
  const validity = newBitmap(n)
  let nulls = 0
  for (let i = 0; i < n; i++) {
    const v = get(i)
    if (v === null) nulls++
    else {
      setBit(validity, i)
      put(i, v)
    }
    after?.(i)
  }
  return { nulls, validity: nulls > 0 ? validity : undefined }
}

/**
 * A column of `n` values of a Delta primitive type in its canonical Arrow type (`toArrowType`).
 * Longs and timestamps accept numbers or bigints; decimals take the unscaled bigint.
 */
export function primitiveData(type: PrimitiveType, n: number, get: (i: number) => Scalar | null): Data {
  const arrowType = toArrowType(type)
  if (type === 'string' || type === 'binary') return bytesData(arrowType, n, get)
  const { values, set } = valueWriter(type, n)
  const { nulls, validity } = visitRows(n, get, set)
  return new Data(arrowType, 0, n, nulls, [undefined, values, validity])
}

function valueWriter(type: PrimitiveType, n: number): { values: ArrayBufferView; set: (i: number, v: Scalar) => void } {
  switch (type) {
    case 'byte': return numbers(new Int8Array(n))
    case 'short': return numbers(new Int16Array(n))
    case 'integer': case 'date': return numbers(new Int32Array(n))
    case 'float': return numbers(new Float32Array(n))
    case 'double': return numbers(new Float64Array(n))
    case 'long': case 'timestamp': case 'timestamp_ntz': {
      const values = new BigInt64Array(n)
      return { values, set: (i, v) => { values[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v))) } }
    }
    case 'boolean': {
      const values = newBitmap(n)
      return { values, set: (i, v) => { if (v === true) setBit(values, i) } }
    }
  }
  // Only decimals remain: four little-endian words per row.
  const values = new Uint32Array(4 * n)
  const write = decimal128Writer(values)
  return { values, set: (i, v) => write(i, v as bigint) }
}

function numbers(values: Int8Array | Int16Array | Int32Array | Float32Array | Float64Array): { values: ArrayBufferView; set: (i: number, v: Scalar) => void } {
  return { values, set: (i, v) => { values[i] = Number(v) } }
}

const encoder = new TextEncoder()

/** A Utf8 or Binary column: strings are encoded straight into one growing buffer. */
function bytesData(type: DataType, n: number, get: (i: number) => Scalar | null): Data {
  const offsets = new Int32Array(n + 1)
  let bytes: Uint8Array = new Uint8Array(1024)
  let pos = 0
  const put = (_: number, v: Scalar) => {
    const need = typeof v === 'string' ? v.length * 3 : (v as Uint8Array).length
    if (pos + need > bytes.length) bytes = grow(bytes, pos + need)
    if (typeof v === 'string') pos += encoder.encodeInto(v, bytes.subarray(pos)).written
    else {
      bytes.set(v as Uint8Array, pos)
      pos += need
    }
  }
  const { nulls, validity } = visitRows(n, get, put, (i) => { offsets[i + 1] = pos })
  // Hand over a trimmed copy when most of the buffer is slack: a view would keep it all alive.
  const used = pos * 2 < bytes.length ? bytes.slice(0, pos) : bytes.subarray(0, pos)
  return new Data(type, 0, n, nulls, [offsets, used, validity])
}

function grow(bytes: Uint8Array, need: number): Uint8Array {
  const out = new Uint8Array(Math.max(need, bytes.length * 2))
  out.set(bytes)
  return out
}

/**
 * A map<string,string> or list<string> column: `spread` pushes each row's entries (keys only
 * for maps) so that all rows share one keys and one values column.
 */
function nestedData<V>(
  type: DataType, n: number, get: (i: number) => V | null,
  spread: (value: V, keys: string[], values: (string | null)[]) => void,
): Data {
  const offsets = new Int32Array(n + 1)
  const keys: string[] = []
  const values: (string | null)[] = []
  const { nulls, validity } = visitRows(n, get, (_, v) => spread(v, keys, values), (i) => { offsets[i + 1] = values.length })
  const child = type.children[0]!.type
  const childData = child instanceof Struct
    ? new Data(child, 0, values.length, 0, [undefined, undefined, undefined], [
      primitiveData('string', keys.length, (j) => keys[j]!),
      primitiveData('string', values.length, (j) => values[j]!),
    ])
    : primitiveData('string', values.length, (j) => values[j]!)
  return new Data(type, 0, n, nulls, [offsets, undefined, validity], [childData])
}

const DELETION_VECTOR: readonly ColumnSpec<DeletionVectorDescriptor>[] = [
  column('storageType', 'string', (d) => d.storageType),
  column('pathOrInlineDv', 'string', (d) => d.pathOrInlineDv),
  column('offset', 'integer', (d) => d.offset),
  column('sizeInBytes', 'integer', (d) => d.sizeInBytes),
  column('cardinality', 'long', (d) => d.cardinality),
  column('maxRowIndex', 'long', (d) => d.maxRowIndex),
]

/**
 * The fields of the checkpoint's `add` column. `dataChange` is always false: a checkpoint
 * rearranges no data (as Spark writes it). `stats` (JSON) is left out when the table says
 * `delta.checkpoint.writeStatsAsJson=false`; `extra` holds the typed `partitionValues_parsed`
 * and `stats_parsed` columns when they are written.
 */
export function addColumns(opts: { statsAsJson: boolean; extra: readonly ColumnSpec<AddAction>[] }): ColumnSpec<AddAction>[] {
  return [
    column<AddAction>('path', 'string', (a) => a.path),
    mapColumn<AddAction>('partitionValues', (a) => a.partitionValues),
    column<AddAction>('size', 'long', (a) => a.size),
    column<AddAction>('modificationTime', 'long', (a) => a.modificationTime),
    column<AddAction>('dataChange', 'boolean', () => false),
    ...(opts.statsAsJson ? [column<AddAction>('stats', 'string', (a) => a.stats)] : []),
    mapColumn<AddAction>('tags', (a) => a.tags),
    structColumn<AddAction, DeletionVectorDescriptor>('deletionVector', DELETION_VECTOR, (a) => a.deletionVector),
    column<AddAction>('baseRowId', 'long', (a) => a.baseRowId),
    column<AddAction>('defaultRowCommitVersion', 'long', (a) => a.defaultRowCommitVersion),
    column<AddAction>('clusteringProvider', 'string', (a) => a.clusteringProvider),
    ...opts.extra,
  ]
}

/**
 * The fields of the checkpoint's `remove` column: tombstones for VACUUM, so without `stats`
 * and `tags` (PROTOCOL.md, Checkpoints); `dataChange` false as for adds.
 */
export const REMOVE_COLUMNS: readonly ColumnSpec<RemoveAction>[] = [
  column('path', 'string', (r) => r.path),
  column('deletionTimestamp', 'long', (r) => r.deletionTimestamp),
  column('dataChange', 'boolean', () => false),
  column('extendedFileMetadata', 'boolean', (r) => r.extendedFileMetadata),
  mapColumn('partitionValues', (r) => r.partitionValues),
  column('size', 'long', (r) => r.size),
  structColumn('deletionVector', DELETION_VECTOR, (r) => r.deletionVector),
  column('baseRowId', 'long', (r) => r.baseRowId),
  column('defaultRowCommitVersion', 'long', (r) => r.defaultRowCommitVersion),
]

/** The fields of the checkpoint's `metaData` column. */
export const METADATA_COLUMNS: readonly ColumnSpec<MetadataAction>[] = [
  column('id', 'string', (m) => m.id),
  column('name', 'string', (m) => m.name),
  column('description', 'string', (m) => m.description),
  structColumn<MetadataAction, MetadataAction['format']>('format', [
    column('provider', 'string', (f) => f.provider),
    mapColumn('options', (f) => f.options),
  ], (m) => m.format),
  column('schemaString', 'string', (m) => m.schemaString),
  listColumn('partitionColumns', (m) => m.partitionColumns),
  mapColumn('configuration', (m) => m.configuration),
  column('createdTime', 'long', (m) => m.createdTime),
]

/**
 * The fields of the checkpoint's `protocol` column. The feature lists must be non-null on
 * reader version 3 and writer version 7, and null below (PROTOCOL.md, Checkpoint Schema).
 */
export const PROTOCOL_COLUMNS: readonly ColumnSpec<ProtocolAction>[] = [
  column('minReaderVersion', 'integer', (p) => p.minReaderVersion),
  column('minWriterVersion', 'integer', (p) => p.minWriterVersion),
  listColumn('readerFeatures', (p) => (p.minReaderVersion >= 3 ? p.readerFeatures ?? [] : null)),
  listColumn('writerFeatures', (p) => (p.minWriterVersion >= 7 ? p.writerFeatures ?? [] : null)),
]

/** The fields of the checkpoint's `txn` column. */
export const TXN_COLUMNS: readonly ColumnSpec<TxnAction>[] = [
  column('appId', 'string', (t) => t.appId),
  column('version', 'long', (t) => t.version),
  column('lastUpdated', 'long', (t) => t.lastUpdated),
]

/** The fields of the checkpoint's `domainMetadata` column (live domains only, so `removed` is false). */
export const DOMAIN_METADATA_COLUMNS: readonly ColumnSpec<DomainMetadataAction>[] = [
  column('domain', 'string', (d) => d.domain),
  column('configuration', 'string', (d) => d.configuration),
  column('removed', 'boolean', () => false),
]

/** The fields of a v2 checkpoint's `checkpointMetadata` column. */
export const CHECKPOINT_METADATA_COLUMNS: readonly ColumnSpec<CheckpointMetadataAction>[] = [
  column('version', 'long', (c) => c.version),
  mapColumn('tags', (c) => c.tags),
]

/** The fields of a v2 checkpoint's `sidecar` column. */
export const SIDECAR_COLUMNS: readonly ColumnSpec<SidecarAction>[] = [
  column('path', 'string', (s) => s.path),
  column('sizeInBytes', 'long', (s) => s.sizeInBytes),
  column('modificationTime', 'long', (s) => s.modificationTime),
  mapColumn('tags', (s) => s.tags),
]

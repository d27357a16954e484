import { plainAdd, type AddAction } from '../model/actions.js'
import { fitsPrecision } from '../arrow/decimal.js'
import { lookupPartitionValue, physicalName, physicalPartitionValues, type ColumnMappingMode } from '../features/column-mapping.js'
import { booleanProperty, CHECKPOINT_STATS_AS_JSON_KEY, CHECKPOINT_STATS_AS_STRUCT_KEY } from '../features/table-config.js'
import { DeltaError } from '../engine/errors.js'
import { parseTimestampText } from '../values/temporal.js'
import { parsePartitionValue } from '../values/partition-value.js'
import type { Scalar } from '../model/scalar.js'
import type { PrimitiveType, StructField } from '../model/schema.js'
import { partitionKeysOf } from '../scan/plan.js'
import { statBound } from '../stats/parse.js'
import { actionColumn, type ActionColumn, type CheckpointState } from './actions-table.js'
import { addColumns, column, structColumn, type ColumnSpec } from './schema.js'

/**
 * The `add` column of a checkpoint file holding `adds` (a classic checkpoint's adds, or one
 * sidecar's). Its fields follow the table's configuration: `stats` as JSON unless
 * `delta.checkpoint.writeStatsAsJson=false`, and the typed `partitionValues_parsed` and
 * `stats_parsed` with `delta.checkpoint.writeStatsAsStruct=true`. Which `stats_parsed` fields
 * exist depends on the stats of `adds` alone, so each sidecar describes its own files; readers
 * take a missing column as null (PROTOCOL.md, Checkpoints).
 */
export function buildAddColumn(state: CheckpointState, adds: readonly AddAction[]): ActionColumn {
  const config = state.metadata.configuration
  const statsAsJson = booleanProperty(config, CHECKPOINT_STATS_AS_JSON_KEY, true)
  const statsAsStruct = booleanProperty(config, CHECKPOINT_STATS_AS_STRUCT_KEY)
  const keyed = physicallyKeyed(state, adds)
  const extra: ColumnSpec<AddAction>[] = []
  const partitions = statsAsStruct ? partitionValuesParsedColumn(state) : undefined
  if (partitions) extra.push(partitions)
  const stats = statsParsedColumn(state, keyed, statsAsStruct)
  if (stats) extra.push(stats)
  return actionColumn('add', addColumns({ statsAsJson, extra }), keyed)
}

/** The `add` column's type when no parsed columns are written: for the all-null add column of a v2 top-level file. */
export function plainAddColumn(state: CheckpointState): ActionColumn {
  const statsAsJson = booleanProperty(state.metadata.configuration, CHECKPOINT_STATS_AS_JSON_KEY, true)
  return actionColumn<AddAction>('add', addColumns({ statsAsJson, extra: [] }), [])
}

/**
 * `adds` with partition values keyed by physical name, as PROTOCOL.md wants: under column
 * mapping, files an older writer of ours added with logical keys are copied with physical ones
 * (in the same order); the rest are kept as is.
 */
function physicallyKeyed(state: CheckpointState, adds: readonly AddAction[]): readonly AddAction[] {
  if (state.columnMapping === 'none' || state.metadata.partitionColumns.length === 0) return adds
  const keys = partitionKeysOf(state)
  const stale = (a: AddAction) => keys.some((k) => !Object.hasOwn(a.partitionValues, k.key))
  if (!adds.some(stale)) return adds
  return adds.map((a) => (stale(a) ? { ...plainAdd(a), partitionValues: physicalPartitionValues(a.partitionValues, keys) } : a))
}

/**
 * `add.partitionValues_parsed`: the partition values typed per the schema, under their
 * physical names (PROTOCOL.md, Checkpoints), for `delta.checkpoint.writeStatsAsStruct` tables.
 */
function partitionValuesParsedColumn(state: CheckpointState): ColumnSpec<AddAction> | undefined {
  const keys = partitionKeysOf(state)
  if (keys.length === 0) return undefined
  const fields = keys.map((k) => {
    const type = k.field.type
    if (typeof type !== 'string') {
      throw new DeltaError('InvalidLog', `partition column '${k.field.name}' is not a primitive column of the schema; the table's metadata is inconsistent`)
    }
    return column<AddAction>(k.key, type, (a) => parsePartitionValue(lookupPartitionValue(a.partitionValues, k), type))
  })
  return structColumn<AddAction, AddAction>('partitionValues_parsed', fields, (a) => a)
}

type Json = Record<string, unknown>

/**
 * `add.stats_parsed`: each file's stats typed per the schema, under physical names, with only
 * the columns some file has stats for (Spark indexes the first 32 columns; a struct of every
 * column of a wide table would be all nulls). Written when the table sets
 * `delta.checkpoint.writeStatsAsStruct=true`, and also when some file's stats exist only in
 * struct form (read from an older struct-only checkpoint), so that no stats are lost.
 */
function statsParsedColumn(state: CheckpointState, adds: readonly AddAction[], asked: boolean): ColumnSpec<AddAction> | undefined {
  if (!asked && !adds.some((a) => !a.stats && a.statsParsed)) return undefined
  const parsed = adds.map(statsObject)
  const present = (path: readonly string[]): boolean => parsed.some((s) => lookup(s, path) !== undefined)
  const data = state.schema.fields.filter((f) => !state.metadata.partitionColumns.includes(f.name))
  const mode = state.columnMapping
  const sections: ColumnSpec<Json>[] = [
    column<Json>('numRecords', 'long', (s) => toCount(s.numRecords)),
    column<Json>('tightBounds', 'boolean', (s) => (typeof s.tightBounds === 'boolean' ? s.tightBounds : null)),
  ]
  for (const [name, fields] of [
    ['minValues', valueFields(data, mode, ['minValues'], 'lower', present)],
    ['maxValues', valueFields(data, mode, ['maxValues'], 'upper', present)],
    ['nullCount', countFields(data, mode, ['nullCount'], present)],
  ] as const) {
    if (fields.length > 0) sections.push(structColumn<Json, Json>(name, fields, (s) => asObject(s[name])))
  }
  const spec = structColumn<Json, Json>('stats_parsed', sections, (s) => s)
  // Built from `parsed`, which lines up with the add column's items (`adds`).
  return { name: spec.name, type: spec.type, build: () => spec.build(parsed) }
}

function statsObject(add: AddAction): Json | null {
  if (add.stats) {
    try {
      return asObject(JSON.parse(add.stats))
    } catch {
      return null // unreadable stats cost skipping, never the checkpoint
    }
  }
  return add.statsParsed ?? null
}

function asObject(v: unknown): Json | null {
  return v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) ? (v as Json) : null
}

function lookup(obj: Json | null, path: readonly string[]): unknown {
  let node: unknown = obj
  for (const name of path) {
    const o = asObject(node)
    if (!o) return undefined
    node = o[name]
  }
  return node ?? undefined
}

/** Fields of minValues or maxValues; widened columns are left out, as their old stats may not fit. */
function valueFields(
  fields: readonly StructField[], mode: ColumnMappingMode, path: readonly string[], dir: 'lower' | 'upper', present: (p: readonly string[]) => boolean,
): ColumnSpec<Json>[] {
  const out: ColumnSpec<Json>[] = []
  for (const f of fields) {
    if (f.metadata['delta.typeChanges'] !== undefined) continue
    const name = physicalName(f, mode)
    const at = [...path, name]
    const type = f.type
    if (typeof type === 'string') {
      if (type !== 'binary' && present(at)) out.push(column<Json>(name, type, (o) => statValue(o[name], type, dir)))
    } else if (type.type === 'struct') {
      const sub = valueFields(type.fields, mode, at, dir, present)
      if (sub.length > 0) out.push(structColumn<Json, Json>(name, sub, (o) => asObject(o[name])))
    }
  }
  return out
}

function countFields(fields: readonly StructField[], mode: ColumnMappingMode, path: readonly string[], present: (p: readonly string[]) => boolean): ColumnSpec<Json>[] {
  const out: ColumnSpec<Json>[] = []
  for (const f of fields) {
    if (f.metadata['delta.typeChanges'] !== undefined) continue
    const name = physicalName(f, mode)
    const at = [...path, name]
    if (typeof f.type === 'object' && f.type.type === 'struct') {
      const sub = countFields(f.type.fields, mode, at, present)
      if (sub.length > 0) out.push(structColumn<Json, Json>(name, sub, (o) => asObject(o[name])))
    } else if (present(at)) {
      out.push(column<Json>(name, 'long', (o) => toCount(o[name])))
    }
  }
  return out
}

function toCount(v: unknown): bigint | null {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v)
  if (typeof v === 'bigint' && v >= 0n && BigInt.asIntN(64, v) === v) return v
  return null
}

/**
 * One stat as a value of its column's type, kept as written where the type can hold it exactly
 * (timestamps are not widened here: readers widen a millisecond max themselves) and rounded
 * outwards where it cannot (a long or decimal that came through a JSON double). A value that
 * does not fit the type is left null: a missing bound only costs skipping.
 */
function statValue(raw: unknown, type: PrimitiveType, dir: 'lower' | 'upper'): Scalar | null {
  if (raw === null || raw === undefined) return null
  switch (type) {
    case 'string': return typeof raw === 'string' ? raw : null // a cut max is judged by readers
    case 'float': case 'double':
      if (typeof raw !== 'number') return null
      return type === 'float' ? Math.fround(raw) : raw
    case 'timestamp': case 'timestamp_ntz': {
      const ts = typeof raw === 'string' ? parseTimestampText(raw) : undefined
      return ts && !(type === 'timestamp_ntz' && ts.hasZone) ? ts.micros : null
    }
  }
  const v = statBound(raw, type, dir)
  if (v === undefined) return null
  return fitsType(v, type) ? v : null
}

const INT_LIMITS: Partial<Record<PrimitiveType, number>> = { byte: 0x80, short: 0x8000, integer: 0x80000000 }

function fitsType(v: Scalar, type: PrimitiveType): boolean {
  const limit = INT_LIMITS[type]
  if (limit !== undefined) return typeof v === 'number' && v >= -limit && v < limit
  if (type === 'long') return typeof v === 'bigint' && BigInt.asIntN(64, v) === v
  const precision = /^decimal\((\d+),/.exec(type)?.[1]
  if (precision !== undefined) return typeof v === 'bigint' && fitsPrecision(v, Number(precision))
  return true
}

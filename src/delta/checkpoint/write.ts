import { Field, RecordBatch, Schema, Struct, Table, makeData, type Data } from 'apache-arrow'
import { plainAdd, type AddAction, type MetadataAction, type RemoveAction } from '../model/actions.js'
import { fitsPrecision } from '../arrow/decimal.js'
import { nullData } from '../arrow/index.js'
import { lookupPartitionValue, physicalName, physicalPartitionValues, type ColumnMappingMode } from '../features/column-mapping.js'
import { booleanProperty, CHECKPOINT_STATS_AS_JSON_KEY, CHECKPOINT_STATS_AS_STRUCT_KEY } from '../features/table-config.js'
import {
  DOMAIN_METADATA_COLUMNS, METADATA_COLUMNS, PROTOCOL_COLUMNS, REMOVE_COLUMNS, TXN_COLUMNS,
  addColumns, column, structColumn, structData, structTypeOf, type ColumnSpec,
} from './schema.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import { parseTimestampText } from '../values/temporal.js'
import { DEFAULT_DELETED_FILE_RETENTION, DELETED_FILE_RETENTION_KEY, retentionMs } from './log-cleanup.js'
import { LAST_CHECKPOINT_PATH, classicCheckpointPath } from '../log/log-path.js'
import { readLastCheckpoint } from '../log/log-segment.js'
import { parsePartitionValue } from '../values/partition-value.js'
import type { Scalar } from '../model/scalar.js'
import type { PrimitiveType, StructField } from '../model/schema.js'
import { partitionKeysOf } from '../scan/plan.js'
import type { Snapshot } from '../log/snapshot.js'
import { statBound } from '../stats/parse.js'

/**
 * Commits between checkpoints when the table does not set `delta.checkpointInterval`. We
 * follow delta-rs (100) rather than Spark (10): each checkpoint rewrites every live file
 * action, which in a browser costs a full Parquet encode on the user's machine, while replaying
 * up to 99 small JSON commits is cheap (they are fetched in parallel).
 */
export const DEFAULT_CHECKPOINT_INTERVAL = 100

/**
 * The table's checkpoint interval: `delta.checkpointInterval` when it is a positive integer,
 * else {@link DEFAULT_CHECKPOINT_INTERVAL}. A malformed value falls back to the default rather
 * than failing: it only decides how often an optimisation runs.
 */
export function checkpointInterval(metadata: MetadataAction): number {
  const raw = metadata.configuration['delta.checkpointInterval']
  const n = raw === undefined ? NaN : Number(raw.trim())
  return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_CHECKPOINT_INTERVAL
}

/** Whether the commit of `version` is due a checkpoint: every `checkpointInterval` versions, never at 0. */
export function shouldCheckpoint(version: number, metadata: MetadataAction): boolean {
  return version > 0 && version % checkpointInterval(metadata) === 0
}

/** Options of {@link writeCheckpoint}. */
export interface CheckpointOptions {
  /** The current time in ms since the epoch, for tombstone expiry; `Date.now()` when omitted. */
  now?: number
}

/** What a checkpoint holds and where it went; the same numbers go into `_last_checkpoint`. */
export interface CheckpointResult {
  /** The checkpoint file, relative to the storage root. */
  path: string
  version: number
  /** Actions (rows) in the checkpoint. */
  size: number
  /** Bytes of the checkpoint file. */
  sizeInBytes: number
  /** `add` actions in the checkpoint. */
  numOfAddFiles: number
}

/**
 * Write a classic single-file checkpoint of `snapshot` (`_delta_log/<version>.checkpoint.parquet`)
 * and point `_last_checkpoint` at it. The snapshot must be loaded with `{ tombstones: true }`:
 * the checkpoint keeps the tombstones that have not expired (deleted after `now` minus
 * `delta.deletedFileRetentionDuration`, default one week; a tombstone without a deletion time
 * has expired). It holds one row per action: protocol, metaData, txn, domainMetadata (live
 * domains, when there are any), add and remove; never commitInfo or cdc.
 *
 * The file follows the V1 spec, which PROTOCOL.md allows on every table, `v2Checkpoint`
 * tables included ("writers are always allowed to create a classic checkpoint following the v1
 * spec"), so one writer serves every table. A checkpoint of a version holds the same state
 * whoever writes it, so the file is overwritten rather than created exclusively;
 * `_last_checkpoint` is only moved forward, never back to an older version.
 *
 * A checkpoint is an optimisation: this throws on failure, and a caller that has just
 * committed should ignore the error, as the table stays readable without it.
 */
export async function writeCheckpoint(engine: Engine, snapshot: Snapshot, opts: CheckpointOptions = {}): Promise<CheckpointResult> {
  if (!snapshot.tombstones) {
    throw new DeltaError('InvalidArgument', 'the snapshot was loaded without its tombstones: load it with loadSnapshot(engine, version, { tombstones: true }) before writing a checkpoint')
  }
  if (!engine.storage.capabilities.write) {
    throw new DeltaError('InvalidArgument', 'this storage is read-only: open the table with a storage that can write to checkpoint it')
  }
  const minDeletionTime = (opts.now ?? Date.now()) - retentionMs(snapshot.metadata, DELETED_FILE_RETENTION_KEY, DEFAULT_DELETED_FILE_RETENTION)
  const tombstones = snapshot.tombstones.filter((r) => (r.deletionTimestamp ?? 0) > minDeletionTime)
  const table = buildCheckpointTable(snapshot, tombstones)
  const bytes = await engine.parquet.write(table, { compression: 'snappy' })
  const path = classicCheckpointPath(snapshot.version)
  await engine.storage.put(path, bytes)
  const result: CheckpointResult = {
    path, version: snapshot.version, size: table.numRows, sizeInBytes: bytes.length, numOfAddFiles: snapshot.files.length,
  }
  await advanceLastCheckpoint(engine, result)
  return result
}

async function advanceLastCheckpoint(engine: Engine, cp: CheckpointResult): Promise<void> {
  const current = await readLastCheckpoint(engine.storage)
  if (current && current.version > cp.version) return
  const hint = { version: cp.version, size: cp.size, sizeInBytes: cp.sizeInBytes, numOfAddFiles: cp.numOfAddFiles }
  await engine.storage.put(LAST_CHECKPOINT_PATH, new TextEncoder().encode(JSON.stringify(hint)))
}

/** One top-level column of the checkpoint: an action kind, its struct type and its rows. */
interface ActionColumn {
  name: string
  type: Struct
  length: number
  build(): Data
}

function actionColumn<T>(name: string, fields: readonly ColumnSpec<T>[], items: readonly T[]): ActionColumn {
  const type = structTypeOf(fields)
  return { name, type, length: items.length, build: () => structData(type, fields, items) }
}

/**
 * The checkpoint as an Arrow table: one record batch per action kind, in which only that
 * kind's column is non-null, so each batch is built straight from one array of actions.
 */
export function buildCheckpointTable(snapshot: Snapshot, tombstones: readonly RemoveAction[]): Table {
  const config = snapshot.metadata.configuration
  const statsAsJson = booleanProperty(config, CHECKPOINT_STATS_AS_JSON_KEY, true)
  const statsAsStruct = booleanProperty(config, CHECKPOINT_STATS_AS_STRUCT_KEY)
  const extra: ColumnSpec<AddAction>[] = []
  const partitions = statsAsStruct ? partitionValuesParsedColumn(snapshot) : undefined
  if (partitions) extra.push(partitions)
  const stats = statsParsedColumn(snapshot, statsAsStruct)
  if (stats) extra.push(stats)
  const columns = [
    actionColumn('txn', TXN_COLUMNS, [...snapshot.txns.values()]),
    actionColumn('add', addColumns({ statsAsJson, extra }), physicallyKeyed(snapshot)),
    actionColumn('remove', REMOVE_COLUMNS, tombstones),
    actionColumn('metaData', METADATA_COLUMNS, [snapshot.metadata]),
    actionColumn('protocol', PROTOCOL_COLUMNS, [snapshot.protocol]),
  ]
  if (snapshot.domains.size > 0) columns.push(actionColumn('domainMetadata', DOMAIN_METADATA_COLUMNS, [...snapshot.domains.values()]))
  const schema = new Schema(columns.map((c) => new Field(c.name, c.type, true)))
  // Protocol and metadata first: readers that stop early find them in the first row group.
  const order = ['protocol', 'metaData', 'txn', 'domainMetadata', 'add', 'remove']
  const batches = order.flatMap((name) => {
    const own = columns.find((c) => c.name === name)
    if (!own || own.length === 0) return []
    const children = columns.map((c) => (c === own ? own.build() : nullData(c.type, own.length)))
    return [new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: own.length, nullCount: 0, children }))]
  })
  return new Table(schema, batches)
}

/**
 * The snapshot's adds with partition values keyed by physical name, as PROTOCOL.md wants: under
 * column mapping, files an older writer of ours added with logical keys are copied with
 * physical ones (in the same order, so stats columns still line up); the rest are kept as is.
 */
function physicallyKeyed(snapshot: Snapshot): readonly AddAction[] {
  const files = snapshot.files.toArray()
  if (snapshot.columnMapping === 'none' || snapshot.metadata.partitionColumns.length === 0) return files
  const keys = partitionKeysOf(snapshot)
  const stale = (a: AddAction) => keys.some((k) => !Object.hasOwn(a.partitionValues, k.key))
  if (!files.some(stale)) return files
  return files.map((a) => (stale(a) ? { ...plainAdd(a), partitionValues: physicalPartitionValues(a.partitionValues, keys) } : a))
}

/**
 * `add.partitionValues_parsed`: the partition values typed per the schema, under their
 * physical names (PROTOCOL.md, Checkpoints), for `delta.checkpoint.writeStatsAsStruct` tables.
 */
function partitionValuesParsedColumn(snapshot: Snapshot): ColumnSpec<AddAction> | undefined {
  const keys = partitionKeysOf(snapshot)
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
function statsParsedColumn(snapshot: Snapshot, asked: boolean): ColumnSpec<AddAction> | undefined {
  if (!asked && !snapshot.files.some((a) => !a.stats && a.statsParsed !== null && a.statsParsed !== undefined)) return undefined
  const parsed = snapshot.files.map(statsObject)
  const present = (path: readonly string[]): boolean => parsed.some((s) => lookup(s, path) !== undefined)
  const data = snapshot.schema.fields.filter((f) => !snapshot.metadata.partitionColumns.includes(f.name))
  const mode = snapshot.columnMapping
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
  // Built from `parsed`, which lines up with the add column's items (snapshot.files).
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

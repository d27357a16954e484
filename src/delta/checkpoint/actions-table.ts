import { Field, RecordBatch, Schema, Struct, Table, makeData, type Data } from 'apache-arrow'
import type { MetadataAction, RemoveAction } from '../model/actions.js'
import type { Snapshot } from '../log/snapshot.js'
import { nullData } from '../arrow/index.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import { DEFAULT_DELETED_FILE_RETENTION, DELETED_FILE_RETENTION_KEY, retentionMs } from './log-cleanup.js'
import { structData, structTypeOf, type ColumnSpec } from './schema.js'

/**
 * Rows per row group of every checkpoint file we write (classic checkpoints, v2 top-level files
 * and sidecars). A checkpoint of millions of files in one row group can only be decoded whole;
 * bounded row groups let a reader decode it one group at a time with bounded memory, and fetch
 * or skip groups independently. 65,536 adds are a few MiB encoded: large enough that the
 * per-group overhead (footer entries, page headers) stays negligible.
 */
export const CHECKPOINT_ROW_GROUP_ROWS = 65_536

/**
 * What a checkpoint writer needs to know of the table besides its file actions. A `Snapshot`
 * is one; a generator that streams millions of synthetic adds can make one up without holding
 * the files.
 */
export type CheckpointState = Pick<Snapshot, 'version' | 'protocol' | 'metadata' | 'schema' | 'columnMapping' | 'txns' | 'domains'>

/**
 * Which kind of checkpoint was written: a classic single file, a multi-part one
 * (`<version>.checkpoint.<part>.<parts>.parquet`), or a UUID-named v2 one with sidecars.
 */
export type CheckpointKind = 'classic' | 'multipart' | 'v2'

/** What a checkpoint holds and where it went; the same numbers go into `_last_checkpoint`. */
export interface CheckpointResult {
  /** The checkpoint file (the first part of a multi-part one, the top-level file of a v2 one), relative to the storage root. */
  path: string
  version: number
  kind: CheckpointKind
  /** Every file written, relative to the storage root: the parts in order, or a v2 checkpoint's sidecars then its top-level file. */
  files: string[]
  /** Parts of a multi-part checkpoint. */
  parts?: number
  /** Actions (rows) in the checkpoint, sidecars included. */
  size: number
  /** Bytes of the checkpoint, sidecars included. */
  sizeInBytes: number
  /** `add` actions in the checkpoint. */
  numOfAddFiles: number
}

/**
 * The tombstones a checkpoint keeps: those deleted after `now` minus
 * `delta.deletedFileRetentionDuration` (default one week). A tombstone without a deletion time
 * has expired. InvalidArgument when the property is not a duration.
 */
export function liveTombstones(metadata: MetadataAction, tombstones: Iterable<RemoveAction>, now: number): RemoveAction[] {
  const minDeletionTime = now - retentionMs(metadata, DELETED_FILE_RETENTION_KEY, DEFAULT_DELETED_FILE_RETENTION)
  const out: RemoveAction[] = []
  for (const r of tombstones) if ((r.deletionTimestamp ?? 0) > minDeletionTime) out.push(r)
  return out
}

/** The snapshot's tombstones; InvalidArgument when it was loaded without them. */
export function requireTombstones(snapshot: { tombstones?: readonly RemoveAction[] }): readonly RemoveAction[] {
  if (!snapshot.tombstones) {
    throw new DeltaError('InvalidArgument', 'the snapshot was loaded without its tombstones: load it with loadSnapshot(engine, version, { tombstones: true }) before writing a checkpoint')
  }
  return snapshot.tombstones
}

/** Refuse a storage that cannot write, before any work is done. */
export function checkWritableStorage(engine: Engine): void {
  if (!engine.storage.capabilities.write) {
    throw new DeltaError('InvalidArgument', 'this storage is read-only: open the table with a storage that can write to checkpoint it')
  }
}

/** One top-level column of a checkpoint file: an action kind, its struct type and its rows. */
export interface ActionColumn {
  readonly name: string
  readonly type: Struct
  readonly length: number
  build(): Data
}

/** The column of one action kind, built from its fields' specs over `items`. */
export function actionColumn<T>(name: string, fields: readonly ColumnSpec<T>[], items: readonly T[]): ActionColumn {
  const type = structTypeOf(fields)
  return { name, type, length: items.length, build: () => structData(type, fields, items) }
}

/**
 * A checkpoint file as an Arrow table with one top-level column per action kind (in the order
 * of `columns`) and one record batch per non-empty kind, in `order`: in each batch only that
 * kind's column is non-null, so each is built straight from one array of actions.
 */
export function assembleActionsTable(columns: readonly ActionColumn[], order: readonly string[]): Table {
  const schema = new Schema(columns.map((c) => new Field(c.name, c.type, true)))
  const batches = order.flatMap((name) => {
    const own = columns.find((c) => c.name === name)
    if (!own || own.length === 0) return []
    const children = columns.map((c) => (c === own ? own.build() : nullData(c.type, own.length)))
    return [new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: own.length, nullCount: 0, children }))]
  })
  return new Table(schema, batches)
}

/** Encode a checkpoint file: snappy, in row groups of {@link CHECKPOINT_ROW_GROUP_ROWS}. */
export function encodeCheckpointFile(engine: Engine, table: Table): Promise<Uint8Array> {
  return engine.parquet.write(table, { compression: 'snappy', rowGroupSize: CHECKPOINT_ROW_GROUP_ROWS })
}

import type { Table } from 'apache-arrow'
import type { MetadataAction, RemoveAction } from '../model/actions.js'
import type { Engine } from '../engine/engine.js'
import { classicCheckpointPath } from '../log/log-path.js'
import type { Snapshot } from '../log/snapshot.js'
import {
  actionColumn, assembleActionsTable, checkWritableStorage, encodeCheckpointFile, liveTombstones, requireTombstones, type CheckpointResult,
  type CheckpointState,
} from './actions-table.js'
import { buildAddColumn } from './add-column.js'
import { advanceLastCheckpoint } from './last-checkpoint.js'
import { DOMAIN_METADATA_COLUMNS, METADATA_COLUMNS, PROTOCOL_COLUMNS, REMOVE_COLUMNS, TXN_COLUMNS } from './schema.js'
import { usesV2Checkpoints, writeV2Checkpoint, type V2CheckpointOptions } from './write-v2.js'
import { checkpointPartCount, writeMultiPartCheckpoint } from './write-multipart.js'

export { CHECKPOINT_ROW_GROUP_ROWS, type CheckpointResult, type CheckpointState } from './actions-table.js'

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

/**
 * Options of {@link writeCheckpoint}: `now` for tombstone expiry, and `sidecars` for tables that
 * get v2 checkpoints (ignored by classic ones).
 */
export type CheckpointOptions = V2CheckpointOptions

/**
 * Write a checkpoint of `snapshot` and point `_last_checkpoint` at it. The snapshot must be
 * loaded with `{ tombstones: true }`: the checkpoint keeps the tombstones that have not expired
 * (deleted after `now` minus `delta.deletedFileRetentionDuration`, default one week; a tombstone
 * without a deletion time has expired). It holds one row per action: protocol, metaData, txn,
 * domainMetadata (live domains, when there are any), add and remove; never commitInfo or cdc.
 *
 * Which kind follows the table, as Spark decides it: a table that supports the `v2Checkpoint`
 * feature and sets `delta.checkpointPolicy=v2` gets a UUID-named v2 checkpoint with sidecars
 * (see {@link writeV2Checkpoint}); a table that sets `delta.checkpoint.partSize` (file actions
 * per part) and has more file actions than that a multi-part checkpoint (see
 * {@link writeMultiPartCheckpoint}); every other table a classic single-file checkpoint
 * (`_delta_log/<version>.checkpoint.parquet`) following the V1 spec, which PROTOCOL.md allows on
 * every table ("writers are always allowed to create a classic checkpoint following the v1
 * spec"), `v2Checkpoint` tables whose policy is `classic` included. A classic checkpoint of a
 * version holds the same state whoever writes it, so the file is overwritten rather than created
 * exclusively; `_last_checkpoint` is only moved forward, never back to an older version.
 *
 * A checkpoint is an optimisation: this throws on failure, and a caller that has just
 * committed should ignore the error, as the table stays readable without it.
 */
export async function writeCheckpoint(engine: Engine, snapshot: Snapshot, opts: CheckpointOptions = {}): Promise<CheckpointResult> {
  const tombstones = requireTombstones(snapshot)
  checkWritableStorage(engine)
  if (usesV2Checkpoints(snapshot)) return writeV2Checkpoint(engine, snapshot, opts)
  const now = opts.now ?? Date.now()
  const live = liveTombstones(snapshot.metadata, tombstones, now)
  const parts = checkpointPartCount(snapshot, snapshot.files.length + live.length)
  if (parts > 1) return writeMultiPartCheckpoint(engine, snapshot, { now, parts })
  const table = buildCheckpointTable(snapshot, live)
  const bytes = await encodeCheckpointFile(engine, table)
  const path = classicCheckpointPath(snapshot.version)
  await engine.storage.put(path, bytes)
  const result: CheckpointResult = {
    path, version: snapshot.version, kind: 'classic', files: [path], size: table.numRows, sizeInBytes: bytes.length, numOfAddFiles: snapshot.files.length,
  }
  await advanceLastCheckpoint(engine, result)
  return result
}

/**
 * A classic checkpoint as an Arrow table: one record batch per action kind, in which only that
 * kind's column is non-null, so each batch is built straight from one array of actions.
 */
export function buildCheckpointTable(snapshot: CheckpointState & Pick<Snapshot, 'files'>, tombstones: readonly RemoveAction[]): Table {
  const columns = [
    actionColumn('txn', TXN_COLUMNS, [...snapshot.txns.values()]),
    buildAddColumn(snapshot, Array.isArray(snapshot.files) ? snapshot.files : Array.from(snapshot.files)),
    actionColumn('remove', REMOVE_COLUMNS, tombstones),
    actionColumn('metaData', METADATA_COLUMNS, [snapshot.metadata]),
    actionColumn('protocol', PROTOCOL_COLUMNS, [snapshot.protocol]),
  ]
  if (snapshot.domains.size > 0) columns.push(actionColumn('domainMetadata', DOMAIN_METADATA_COLUMNS, [...snapshot.domains.values()]))
  // Protocol and metadata first: readers that stop early find them in the first row group.
  return assembleActionsTable(columns, ['protocol', 'metaData', 'txn', 'domainMetadata', 'add', 'remove'])
}

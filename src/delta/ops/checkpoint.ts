import type { Engine } from '../engine/engine.js'
import { writeCheckpoint, type CheckpointResult } from '../checkpoint/write.js'
import { checkWriteSupported } from '../features/writer.js'
import { loadSnapshot } from '../log/snapshot.js'
import { checkNumber, checkOptions, type OptionChecks } from './check-options.js'

export type { CheckpointKind } from '../checkpoint/actions-table.js'

/** Options of {@link createCheckpoint}. */
export interface CreateCheckpointOptions {
  /**
   * The current time in ms since the epoch, which decides the tombstones kept (those removed
   * within `delta.deletedFileRetentionDuration`, default one week); `Date.now()` when omitted.
   */
  now?: number
}

/**
 * What {@link createCheckpoint} wrote: the `version` checkpointed, the `kind` of checkpoint,
 * every file written (`files`), and the numbers it put in `_last_checkpoint` (`size` actions,
 * `sizeInBytes`, `numOfAddFiles`, and `parts` of a multi-part checkpoint). delta-rs returns
 * nothing; this says what happened instead.
 */
export type CreateCheckpointResult = CheckpointResult

/** The options {@link createCheckpoint} accepts. */
export const CREATE_CHECKPOINT_OPTIONS: OptionChecks = {
  now: (v, key) => checkNumber(v, key, 0),
}

/**
 * Checkpoint the latest version of the table now, as delta-rs's `DeltaTable.create_checkpoint()`
 * does, whatever `delta.checkpointInterval` says. The kind follows the table: a v2 checkpoint
 * with sidecars when it supports `v2Checkpoint` and sets `delta.checkpointPolicy=v2`; a
 * multi-part one when it sets `delta.checkpoint.partSize` (file actions per part) and holds
 * more file actions than that; a classic single file otherwise. `_last_checkpoint` then points
 * at it, unless it names a newer checkpoint already. Nothing is committed: the log's commits
 * stay as they are, and the table reads the same with or without the checkpoint.
 */
export async function createCheckpoint(engine: Engine, opts: CreateCheckpointOptions = {}): Promise<CreateCheckpointResult> {
  checkOptions('createCheckpoint', opts, CREATE_CHECKPOINT_OPTIONS)
  const snapshot = await loadSnapshot(engine, undefined, { tombstones: true })
  // A checkpoint restates the table for every reader: only a writer that knows all its features may write one.
  checkWriteSupported(snapshot.protocol, snapshot.metadata)
  return writeCheckpoint(engine, snapshot, opts.now !== undefined ? { now: opts.now } : {})
}

import type { Action, AddAction, MetadataAction, RemoveAction } from '../model/actions.js'
import { deletionVectorId } from '../model/actions.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import { LOG_DIR, padVersion } from '../log/log-path.js'
import {
  actionColumn, assembleActionsTable, checkWritableStorage, encodeCheckpointFile, liveTombstones, requireTombstones,
  type CheckpointResult, type CheckpointState,
} from './actions-table.js'
import { buildAddColumn } from './add-column.js'
import { advanceLastCheckpoint } from './last-checkpoint.js'
import { DOMAIN_METADATA_COLUMNS, METADATA_COLUMNS, PROTOCOL_COLUMNS, REMOVE_COLUMNS, TXN_COLUMNS } from './schema.js'
import { sparkPartition } from './spark-hash.js'
import { usesV2Checkpoints } from './write-v2.js'

/**
 * Table property: file actions per part of a checkpoint. When set (a positive whole number) on a
 * table whose checkpoints are not v2 ones, a checkpoint with more file actions than this is
 * written in several parts, as Spark's `spark.databricks.delta.checkpoint.partSize` does.
 */
export const CHECKPOINT_PART_SIZE_KEY = 'delta.checkpoint.partSize'

/**
 * The part size the table asks for, or undefined when it sets none. A value that is not a
 * positive whole number is ignored (one file is written), as a malformed checkpoint interval
 * is: it only decides how a checkpoint is laid out, never what it holds.
 */
export function checkpointPartSize(metadata: MetadataAction): number | undefined {
  const raw = metadata.configuration[CHECKPOINT_PART_SIZE_KEY]
  const n = raw === undefined ? NaN : Number(raw.trim())
  return Number.isSafeInteger(n) && n > 0 ? n : undefined
}

/**
 * How many parts a checkpoint of `fileActions` file actions gets under the table's part size
 * (1: a single file). Always 1 on a table that supports v2 checkpoints, even with the classic
 * policy: PROTOCOL.md forbids multi-part checkpoints there.
 */
export function checkpointPartCount(state: Pick<CheckpointState, 'metadata' | 'protocol'>, fileActions: number): number {
  const size = checkpointPartSize(state.metadata)
  if (size === undefined || forbidsMultiPart(state)) return 1
  return Math.max(1, Math.ceil(fileActions / size))
}

/** Whether the table supports v2 checkpoints, where multi-part checkpoints are forbidden, whatever its checkpoint policy. */
function forbidsMultiPart(state: Pick<CheckpointState, 'metadata' | 'protocol'>): boolean {
  return usesV2Checkpoints(state) || (state.protocol.writerFeatures ?? []).includes('v2Checkpoint')
}

/** The name of part `part` (1-based) of `parts` of the multi-part checkpoint of `version`. */
export function multiPartCheckpointPath(version: number, part: number, parts: number): string {
  return `${LOG_DIR}/${padVersion(version)}.checkpoint.${String(part).padStart(10, '0')}.${String(parts).padStart(10, '0')}.parquet`
}

/** Options of {@link writeMultiPartCheckpoint}. */
export interface MultiPartCheckpointOptions {
  /** The current time in ms since the epoch, for tombstone expiry; `Date.now()` when omitted. */
  now?: number
  /** How many parts to write (at least 2). */
  parts: number
}

/**
 * Write a multi-part checkpoint of `snapshot` (PROTOCOL.md, Multi-part checkpoint): the actions
 * a classic checkpoint holds, split over `parts` files `<version>.checkpoint.<i>.<parts>.parquet`
 * by Spark's hash partitioning, as the protocol requires: a file action goes to the part its
 * path (with its deletion vector's id, on tables that support deletion vectors) hashes to, and
 * protocol, metaData, txn and domainMetadata, which have no such key, to the part of a null key.
 * Every writer thus puts each action in the same part, so parts of two racing writers never mix
 * into a wrong checkpoint. A part may be empty. The parts are written in order, then
 * `_last_checkpoint` with `parts`; a reader uses the checkpoint only once every part is there.
 *
 * Multi-part checkpoints are deprecated by the protocol and forbidden on v2-checkpoint tables
 * (InvalidArgument). The snapshot must be loaded with `{ tombstones: true }`.
 */
export async function writeMultiPartCheckpoint(
  engine: Engine, snapshot: CheckpointState & { files: Iterable<AddAction>; tombstones?: readonly RemoveAction[] }, opts: MultiPartCheckpointOptions,
): Promise<CheckpointResult> {
  if (!Number.isSafeInteger(opts.parts) || opts.parts < 2) {
    throw new DeltaError('InvalidArgument', `a multi-part checkpoint has at least 2 parts, got ${opts.parts}`)
  }
  if (forbidsMultiPart(snapshot)) {
    throw new DeltaError('InvalidArgument', 'the table supports v2 checkpoints, where multi-part checkpoints are forbidden (PROTOCOL.md): write a classic or v2 checkpoint instead')
  }
  const tombstones = liveTombstones(snapshot.metadata, requireTombstones(snapshot), opts.now ?? Date.now())
  checkWritableStorage(engine)
  const split = splitActions(snapshot, tombstones, opts.parts)
  const result: CheckpointResult = {
    path: multiPartCheckpointPath(snapshot.version, 1, opts.parts), version: snapshot.version, kind: 'multipart', files: [],
    parts: opts.parts, size: 0, sizeInBytes: 0, numOfAddFiles: 0,
  }
  for (let i = 0; i < opts.parts; i++) {
    const part = split[i]!
    const table = assembleActionsTable([
      actionColumn('txn', TXN_COLUMNS, part.txn),
      buildAddColumn(snapshot, part.add),
      actionColumn('remove', REMOVE_COLUMNS, part.remove),
      actionColumn('metaData', METADATA_COLUMNS, part.metaData),
      actionColumn('protocol', PROTOCOL_COLUMNS, part.protocol),
      actionColumn('domainMetadata', DOMAIN_METADATA_COLUMNS, part.domainMetadata),
    ], ['protocol', 'metaData', 'txn', 'domainMetadata', 'add', 'remove'])
    const bytes = await encodeCheckpointFile(engine, table)
    const path = multiPartCheckpointPath(snapshot.version, i + 1, opts.parts)
    await engine.storage.put(path, bytes)
    result.files.push(path)
    result.size += table.numRows
    result.sizeInBytes += bytes.length
    result.numOfAddFiles += part.add.length
  }
  await advanceLastCheckpoint(engine, result)
  return result
}

type PartActions = { [K in 'protocol' | 'metaData' | 'txn' | 'domainMetadata' | 'add' | 'remove']: Extract<Action, { kind: K }>[] }

function splitActions(
  snapshot: CheckpointState & { files: Iterable<AddAction> }, tombstones: readonly RemoveAction[], parts: number,
): PartActions[] {
  const out: PartActions[] = Array.from({ length: parts }, () => ({ protocol: [], metaData: [], txn: [], domainMetadata: [], add: [], remove: [] }))
  const withDv = (snapshot.protocol.writerFeatures ?? []).includes('deletionVectors')
  const partOf = (a: AddAction | RemoveAction): PartActions =>
    out[sparkPartition(withDv && a.deletionVector ? [a.path, deletionVectorId(a.deletionVector)] : [a.path], parts)]!
  const keyless = out[sparkPartition([], parts)]!
  keyless.protocol.push(snapshot.protocol)
  keyless.metaData.push(snapshot.metadata)
  keyless.txn.push(...snapshot.txns.values())
  keyless.domainMetadata.push(...snapshot.domains.values())
  for (const a of snapshot.files) partOf(a).add.push(a)
  for (const r of tombstones) partOf(r).remove.push(r)
  return out
}

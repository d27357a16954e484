import type { AddAction, CheckpointMetadataAction, ProtocolAction, RemoveAction, SidecarAction } from '../model/actions.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import { LOG_DIR, padVersion } from '../log/log-path.js'
import {
  actionColumn, assembleActionsTable, checkWritableStorage, encodeCheckpointFile, liveTombstones, requireTombstones,
  type CheckpointResult, type CheckpointState,
} from './actions-table.js'
import { buildAddColumn, plainAddColumn } from './add-column.js'
import { advanceLastCheckpoint } from './last-checkpoint.js'
import {
  CHECKPOINT_METADATA_COLUMNS, DOMAIN_METADATA_COLUMNS, METADATA_COLUMNS, PROTOCOL_COLUMNS, REMOVE_COLUMNS, SIDECAR_COLUMNS, TXN_COLUMNS,
} from './schema.js'

/** Table property choosing the checkpoint kind: `classic` (the default) or `v2`, as Spark names it. */
export const CHECKPOINT_POLICY_KEY = 'delta.checkpointPolicy'

/**
 * File actions per sidecar when the caller does not choose a count: Spark's part size for v2
 * checkpoints. A reader fetches sidecars in parallel and the writer holds one sidecar's columns
 * at a time, so neither ever needs a whole large checkpoint in one piece.
 */
export const DEFAULT_SIDECAR_ACTIONS = 50_000

/** Where sidecars live (PROTOCOL.md, Sidecar Files). */
export const SIDECAR_DIR = `${LOG_DIR}/_sidecars`

/**
 * At most this many non-file actions, and this many sidecars, are embedded in `_last_checkpoint`
 * (Spark's defaults): it is read on every open, so it stays small.
 */
const EMBED_LIMIT = 30

/** Options of {@link writeV2Checkpoint}. */
export interface V2CheckpointOptions {
  /** The current time in ms since the epoch, for tombstone expiry; `Date.now()` when omitted. */
  now?: number
  /**
   * How many sidecars to split the file actions into; default one per
   * {@link DEFAULT_SIDECAR_ACTIONS} actions. Never more than there are file actions.
   */
  sidecars?: number
}

/** A sidecar written by {@link writeSidecar}: its action for the top-level file, and what it holds. */
export interface WrittenSidecar {
  action: SidecarAction
  /** File actions (rows) in the sidecar. */
  actions: number
  /** `add` actions among them. */
  numOfAddFiles: number
}

/** Whether the protocol supports the `v2Checkpoint` feature (reader 3, writer 7, listed in both). */
export function supportsV2Checkpoints(protocol: ProtocolAction): boolean {
  return protocol.minReaderVersion >= 3 && protocol.minWriterVersion >= 7 &&
    (protocol.readerFeatures ?? []).includes('v2Checkpoint') && (protocol.writerFeatures ?? []).includes('v2Checkpoint')
}

/**
 * Whether the table's checkpoints are v2 ones: it supports `v2Checkpoint` and sets
 * `delta.checkpointPolicy=v2`, which is what makes Spark write them. A policy of `v2` without the
 * feature is an inconsistent table; it gets classic checkpoints, which every table allows.
 */
export function usesV2Checkpoints(state: Pick<CheckpointState, 'protocol' | 'metadata'>): boolean {
  const policy = state.metadata.configuration[CHECKPOINT_POLICY_KEY]?.trim().toLowerCase()
  return policy === 'v2' && supportsV2Checkpoints(state.protocol)
}

function requireV2Checkpoints(state: Pick<CheckpointState, 'protocol'>): void {
  if (!supportsV2Checkpoints(state.protocol)) {
    throw new DeltaError('InvalidArgument', "the table does not support the v2Checkpoint feature (reader version 3 and writer version 7 with 'v2Checkpoint' in readerFeatures and writerFeatures), which v2 checkpoints need: set the table property delta.checkpointPolicy to 'v2' to add it, or write a classic checkpoint with writeCheckpoint")
  }
}

/**
 * Write a v2 checkpoint of `snapshot` (PROTOCOL.md, V2 Spec): its file actions (adds and the
 * tombstones that have not expired, as {@link writeCheckpoint} keeps them) split over sidecar
 * files in `_delta_log/_sidecars/`, then the UUID-named top-level file
 * `_delta_log/<version>.checkpoint.<uuid>.parquet` holding every other action, a
 * `checkpointMetadata` and one `sidecar` action per sidecar, then `_last_checkpoint`. Sidecars
 * are written one at a time before the top-level file, so a reader that finds the top-level file
 * finds every sidecar it names, and the writer holds one sidecar's columns at a time.
 *
 * The snapshot must be loaded with `{ tombstones: true }`; the table must support the
 * `v2Checkpoint` feature (InvalidArgument naming it otherwise).
 */
export async function writeV2Checkpoint(
  engine: Engine, snapshot: CheckpointState & { files: Iterable<AddAction> & { length: number }; tombstones?: readonly RemoveAction[] },
  opts: V2CheckpointOptions = {},
): Promise<CheckpointResult> {
  requireV2Checkpoints(snapshot)
  const tombstones = liveTombstones(snapshot.metadata, requireTombstones(snapshot), opts.now ?? Date.now())
  checkWritableStorage(engine)
  const total = snapshot.files.length + tombstones.length
  const count = sidecarCount(total, opts.sidecars)
  const sidecars: WrittenSidecar[] = []
  let chunk: (AddAction | RemoveAction)[] = []
  let taken = 0
  // The i-th sidecar ends after floor(total * (i + 1) / count) actions: sizes differ by one at most.
  for (const action of fileActions(snapshot.files, tombstones)) {
    chunk.push(action)
    taken++
    if (taken === Math.floor((total * (sidecars.length + 1)) / count)) {
      sidecars.push(await writeSidecar(engine, snapshot, chunk))
      chunk = []
    }
  }
  if (chunk.length > 0) sidecars.push(await writeSidecar(engine, snapshot, chunk))
  return writeV2CheckpointFile(engine, snapshot, sidecars)
}

function sidecarCount(total: number, asked: number | undefined): number {
  if (asked !== undefined && (!Number.isSafeInteger(asked) || asked < 1)) {
    throw new DeltaError('InvalidArgument', `sidecars must be a positive whole number, got ${asked}`)
  }
  return Math.min(total, asked ?? Math.ceil(total / DEFAULT_SIDECAR_ACTIONS))
}

function* fileActions(files: Iterable<AddAction>, tombstones: readonly RemoveAction[]): Generator<AddAction | RemoveAction> {
  yield* files
  yield* tombstones
}

/**
 * Write one sidecar of a v2 checkpoint of `state`: a Parquet file under a fresh UUID name in
 * `_delta_log/_sidecars/` with the `add` and `remove` columns of a checkpoint (built as a classic
 * checkpoint builds them, `stats_parsed` and `partitionValues_parsed` included), and give back
 * its `sidecar` action. Only the given actions are held, so a caller can write a checkpoint of
 * any number of files one sidecar at a time, then name them all in
 * {@link writeV2CheckpointFile}. Removes must be unexpired tombstones (see `liveTombstones`).
 */
export async function writeSidecar(engine: Engine, state: CheckpointState, actions: Iterable<AddAction | RemoveAction>): Promise<WrittenSidecar> {
  requireV2Checkpoints(state)
  checkWritableStorage(engine)
  const adds: AddAction[] = []
  const removes: RemoveAction[] = []
  for (const a of actions) {
    if (a.kind === 'add') adds.push(a)
    else removes.push(a)
  }
  const table = assembleActionsTable([buildAddColumn(state, adds), actionColumn('remove', REMOVE_COLUMNS, removes)], ['add', 'remove'])
  const bytes = await encodeCheckpointFile(engine, table)
  const name = `${globalThis.crypto.randomUUID()}.parquet`
  await engine.storage.put(`${SIDECAR_DIR}/${name}`, bytes)
  return {
    // The protocol encourages the bare file name: the folder is fixed.
    action: { kind: 'sidecar', path: name, sizeInBytes: bytes.length, modificationTime: Date.now(), tags: null },
    actions: table.numRows,
    numOfAddFiles: adds.length,
  }
}

/**
 * Write the top-level file of a v2 checkpoint of `state` whose file actions are in `sidecars`
 * (already written, see {@link writeSidecar}), as `_delta_log/<version>.checkpoint.<uuid>.parquet`:
 * `checkpointMetadata` and protocol first, then metaData, txn, domainMetadata and one `sidecar`
 * action per sidecar (the `add` and `remove` columns are there, all null, as Spark writes them).
 * Then `_last_checkpoint` names it, with the sidecars counted in `size`, `sizeInBytes` and
 * `numOfAddFiles`, and with the non-file actions and the sidecar list embedded when they are few.
 */
export async function writeV2CheckpointFile(engine: Engine, state: CheckpointState, sidecars: readonly WrittenSidecar[]): Promise<CheckpointResult> {
  requireV2Checkpoints(state)
  checkWritableStorage(engine)
  const header: CheckpointMetadataAction = { kind: 'checkpointMetadata', version: state.version, tags: null }
  const txns = [...state.txns.values()]
  const domains = [...state.domains.values()]
  const columns = [
    actionColumn('txn', TXN_COLUMNS, txns),
    plainAddColumn(state),
    actionColumn('remove', REMOVE_COLUMNS, []),
    actionColumn('metaData', METADATA_COLUMNS, [state.metadata]),
    actionColumn('protocol', PROTOCOL_COLUMNS, [state.protocol]),
    actionColumn('domainMetadata', DOMAIN_METADATA_COLUMNS, domains),
    actionColumn('checkpointMetadata', CHECKPOINT_METADATA_COLUMNS, [header]),
    actionColumn('sidecar', SIDECAR_COLUMNS, sidecars.map((s) => s.action)),
  ]
  const table = assembleActionsTable(columns, ['checkpointMetadata', 'protocol', 'metaData', 'txn', 'domainMetadata', 'sidecar'])
  const bytes = await encodeCheckpointFile(engine, table)
  const name = `${padVersion(state.version)}.checkpoint.${globalThis.crypto.randomUUID()}.parquet`
  const path = `${LOG_DIR}/${name}`
  await engine.storage.put(path, bytes)
  const modificationTime = Date.now()
  let size = table.numRows
  let sizeInBytes = bytes.length
  let numOfAddFiles = 0
  for (const s of sidecars) {
    size += s.actions
    sizeInBytes += s.action.sizeInBytes
    numOfAddFiles += s.numOfAddFiles
  }
  const files = [...sidecars.map((s) => `${SIDECAR_DIR}/${s.action.path}`), path]
  const result: CheckpointResult = { path, version: state.version, kind: 'v2', files, size, sizeInBytes, numOfAddFiles }
  const nonFileActions = [state.protocol, state.metadata, ...txns, ...domains, header]
  await advanceLastCheckpoint(engine, result, {
    path: name, sizeInBytes: bytes.length, modificationTime,
    nonFileActions: nonFileActions.length <= EMBED_LIMIT ? nonFileActions : undefined,
    sidecarFiles: sidecars.length <= EMBED_LIMIT ? sidecars.map((s) => s.action) : undefined,
  })
  return result
}

import { parseCommit, type Action, type AddAction, type CommitInfoAction, type DomainMetadataAction, type MetadataAction, type ProtocolAction, type RemoveAction, type TxnAction } from '../model/actions.js'
import { readCheckpoint, refuseRepeatedAdds } from '../checkpoint/read.js'
import { FileCollector } from '../files/collect-files.js'
import type { ActiveFiles } from '../files/active-files.js'
import { mapLimit } from '../engine/concurrency.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import { findLogSegment, predictCheckpoint, readLastCheckpoint, type CheckpointFiles, type LogSegment } from './log-segment.js'
import { CommitReplay, findCommitInfo, type VersionedActions } from './replay.js'
import { parseSchema, type StructType } from '../model/schema.js'
import { checkReadSupported } from '../features/reader.js'
import { checkPhysicalNames, columnMappingMode, type ColumnMappingMode } from '../features/column-mapping.js'

/** How many log files to fetch at once. */
export const LOG_READ_CONCURRENCY = 64

/** The state of a table at one version: everything a reader needs, read once. */
export interface Snapshot {
  /**
   * The absolute URI of the table root, when known: absolute paths in the log (data files,
   * deletion vectors) resolve against it. Every other path is relative to the storage, which is
   * scoped to the table root.
   */
  tableUri: string | undefined
  version: number
  protocol: ProtocolAction
  metadata: MetadataAction
  /** The logical schema. */
  schema: StructType
  columnMapping: ColumnMappingMode
  /**
   * Active files, held as the checkpoint's decoded columns plus later commits' adds; actions
   * are made on demand (see {@link ActiveFiles}).
   */
  files: ActiveFiles
  /** Latest transaction version per application id. */
  txns: Map<string, TxnAction>
  /** Live domain metadata per domain. */
  domains: Map<string, DomainMetadataAction>
  segment: LogSegment
  /** commitInfo of each commit read since the checkpoint, by version. */
  commitInfos: Map<number, CommitInfoAction>
  /**
   * Live tombstones (removed files, expired or not), only when loaded with `{ tombstones: true }`:
   * a checkpoint writer needs them, readers do not.
   */
  tombstones?: RemoveAction[]
  /**
   * Set when loaded `withoutFiles`: `files` is then empty, and the files are read on demand
   * with `replaySnapshotFiles`, from the checkpoint and what the newer commits decided.
   */
  withoutFiles?: { decided: ReadonlySet<string>; adds: readonly AddAction[] }
}

/** What `loadSnapshot` reads beyond what a reader needs, or short of it. */
export interface SnapshotOptions {
  /** Also keep the tombstones (decoding the checkpoint's `remove` column), to write a checkpoint. */
  tombstones?: boolean
  /**
   * Read no file state: the snapshot's `files` is empty and `withoutFiles` is set, and its files
   * are read later, each time, with {@link replaySnapshotFiles} (skipping files as they are read,
   * so memory follows the query). As delta-rs's `without_files`.
   */
  withoutFiles?: boolean
  /**
   * Leave the checkpoint's file stats in the checkpoint until first use (`loadDeferredStats`):
   * an add then throws if its stats are read before. For readers that load them when a question
   * needs them; operations load snapshots with their stats.
   */
  deferStats?: boolean
}

/** Read the commits of a segment in parallel and parse them (bytes must be UTF-8, see `parseCommit`). */
export async function readCommits(engine: Engine, commits: LogSegment['commits']): Promise<VersionedActions[]> {
  return mapLimit(commits, LOG_READ_CONCURRENCY, async (c) => ({
    version: c.version,
    actions: parseCommit(await engine.storage.read(c.path), c.path),
  }))
}

/**
 * Load the snapshot of a table at `version` (latest when undefined). The checkpoint and the
 * commits after it are fetched in parallel, then replayed. Refuses reader features it cannot
 * read and logs without protocol or metadata. With `{ tombstones: true }` the snapshot also
 * carries the live tombstones, which a checkpoint writer needs and readers do not.
 */
export async function loadSnapshot(engine: Engine, version?: number, opts: SnapshotOptions = {}): Promise<Snapshot> {
  if (version !== undefined && (!Number.isInteger(version) || version < 0)) {
    throw new DeltaError('InvalidArgument', `version must be a non-negative integer, got ${version}`)
  }
  // Start on the checkpoint _last_checkpoint names while the listing confirms it: one round
  // trip less before the data of a big checkpoint arrives. Its size there is only a hint: the
  // early read counts only if the listing gives the file that very size, else the checkpoint is
  // read again with the listed size (a wrong hint costs time, never the table). The commits are
  // read meanwhile; each checkpoint chunk waits for the keys they decided.
  const hint = await readLastCheckpoint(engine.storage)
  const predicted = predictCheckpoint(hint, version)
  const segmentRead = findLogSegment(engine.storage, version, hint ?? null)
  const commitsRead = segmentRead.then((segment) => readCommits(engine, segment.commits))
  const replayRead = commitsRead.then((commits) => new CommitReplay(commits, opts))
  const decided = replayRead.then((r) => r.decided)
  for (const p of [segmentRead, commitsRead, replayRead, decided]) p.catch(() => undefined)
  const read = (cp: CheckpointFiles) => {
    const collector = opts.withoutFiles ? undefined : new FileCollector(decided)
    const actions = readCheckpoint(engine, cp, { tombstones: opts.tombstones, deferStats: opts.deferStats === true, ...(collector ? { adds: collector } : {}) })
    return actions.then((a) => ({ others: a.others, collected: collector?.finish() }))
  }
  const early = predicted && read(predicted)
  early?.catch(() => undefined)
  const segment = await segmentRead
  const listed = segment.checkpoint?.files.length === 1 ? segment.checkpoint.files[0]! : undefined
  const confirmed = early && segment.checkpoint?.version === predicted.version &&
    listed?.path === predicted.files[0]!.path && listed.size === predicted.files[0]!.size
  const [checkpoint, commits, replay] = await Promise.all([
    confirmed ? early : segment.checkpoint ? read(segment.checkpoint) : Promise.resolve({ others: [] as Action[], collected: undefined }),
    commitsRead,
    replayRead,
  ])
  if (checkpoint.collected) refuseRepeatedAdds(checkpoint.collected)
  const state = replay.finish(checkpoint.others, checkpoint.collected?.runs ?? [])
  if (!state.protocol) throw new DeltaError('InvalidLog', `the log at version ${segment.version} has no protocol action`)
  if (!state.metadata) throw new DeltaError('InvalidLog', `the log at version ${segment.version} has no metaData action`)
  checkReadSupported(state.protocol, state.metadata)
  const commitInfos = new Map<number, CommitInfoAction>()
  for (const c of commits) {
    const info = findCommitInfo(c.actions)
    if (info) commitInfos.set(c.version, info)
  }
  const schema = parseSchema(state.metadata.schemaString)
  const columnMapping = columnMappingMode(state.metadata)
  checkPhysicalNames(schema, columnMapping)
  return {
    tableUri: engine.tableUri,
    version: segment.version,
    protocol: state.protocol,
    metadata: state.metadata,
    schema,
    columnMapping,
    files: state.files,
    txns: state.txns,
    domains: state.domains,
    segment,
    commitInfos,
    ...(state.tombstones ? { tombstones: state.tombstones } : {}),
    ...(opts.withoutFiles ? { withoutFiles: { decided: replay.decided, adds: replay.adds } } : {}),
  }
}

import { parseAction, parseCommit, type Action } from './actions.js'
import { plainRows } from './arrow/index.js'
import { storageSource, readText, type Engine } from './engine.js'
import { DeltaError } from './errors.js'
import type { CheckpointFiles } from './log-segment.js'
import { LOG_DIR, joinPath } from './log-path.js'
import type { FileMeta } from './storage.js'

// A snapshot needs no tombstones: a checkpoint's adds are already reconciled, so the remove
// column is only decoded for a checkpoint writer. commitInfo and cdc never appear in checkpoints.
const SNAPSHOT_COLUMNS = ['add', 'metaData', 'protocol', 'txn', 'domainMetadata', 'sidecar', 'checkpointMetadata']
const TOMBSTONE_COLUMNS = [...SNAPSHOT_COLUMNS, 'remove']

/** What to decode from a checkpoint beyond what a snapshot needs. */
export interface CheckpointReadOptions {
  /** Also decode the `remove` tombstones (a checkpoint writer carries them forward). */
  tombstones?: boolean
}

/**
 * Read every action of a checkpoint: classic or multi-part Parquet, or a v2 checkpoint (JSON or
 * Parquet) with its sidecars. Parts and sidecars are read in parallel.
 */
export async function readCheckpoint(engine: Engine, root: string, cp: CheckpointFiles, opts: CheckpointReadOptions = {}): Promise<Action[]> {
  const columns = opts.tombstones ? TOMBSTONE_COLUMNS : SNAPSHOT_COLUMNS
  const parts = await Promise.all(cp.files.map((f) => readCheckpointFile(engine, f, columns)))
  const actions = parts.flat()
  const sidecars = actions.filter((a) => a.kind === 'sidecar')
  if (sidecars.length === 0) return actions
  const sidecarActions = await Promise.all(sidecars.map((s) => {
    const path = s.path.includes('/') ? s.path : `${LOG_DIR}/_sidecars/${s.path}`
    return readParquetActions(engine, { path: joinPath(root, decodeURIComponent(path)), size: s.sizeInBytes, lastModified: s.modificationTime }, columns)
  }))
  return [...actions.filter((a) => a.kind !== 'sidecar'), ...sidecarActions.flat()]
}

async function readCheckpointFile(engine: Engine, file: FileMeta, columns: string[]): Promise<Action[]> {
  if (file.path.endsWith('.json')) return parseCommit(await readText(engine.storage, file.path), file.path)
  return readParquetActions(engine, file, columns)
}

async function readParquetActions(engine: Engine, file: FileMeta, columns: string[]): Promise<Action[]> {
  let size = file.size
  if (!size) {
    const head = await engine.storage.head(file.path)
    if (!head) throw new DeltaError('InvalidLog', `${file.path}: the checkpoint file is missing`)
    size = head.size
  }
  // Nested INT96 (old Spark stats_parsed) cannot be decoded exactly: leaving it out only
  // loses those bounds for file skipping.
  const table = await engine.parquet.read(storageSource(engine.storage, file.path, size), { columns, nestedInt96: 'omit' })
  const out: Action[] = []
  for (const row of plainRows(table)) {
    const a = parseAction(row, file.path)
    if (a) out.push(a)
  }
  return out
}

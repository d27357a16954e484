import { parseAction, parseCommit, type Action } from './actions.js'
import { plainRows } from './arrow/index.js'
import { storageSource, readText, type Engine } from './engine.js'
import { DeltaError } from './errors.js'
import type { CheckpointFiles } from './log-segment.js'
import { LOG_DIR, joinPath } from './log-path.js'
import type { FileMeta } from './storage.js'

// A snapshot needs no tombstones: a checkpoint's adds are already reconciled, so the remove
// column is never decoded. commitInfo and cdc never appear in checkpoints.
const SNAPSHOT_COLUMNS = ['add', 'metaData', 'protocol', 'txn', 'domainMetadata', 'sidecar', 'checkpointMetadata']

/**
 * Read every action of a checkpoint: classic or multi-part Parquet, or a v2 checkpoint (JSON or
 * Parquet) with its sidecars. Parts and sidecars are read in parallel.
 */
export async function readCheckpoint(engine: Engine, root: string, cp: CheckpointFiles): Promise<Action[]> {
  const parts = await Promise.all(cp.files.map((f) => readCheckpointFile(engine, f)))
  const actions = parts.flat()
  const sidecars = actions.filter((a) => a.kind === 'sidecar')
  if (sidecars.length === 0) return actions
  const sidecarActions = await Promise.all(sidecars.map((s) => {
    const path = s.path.includes('/') ? s.path : `${LOG_DIR}/_sidecars/${s.path}`
    return readParquetActions(engine, { path: joinPath(root, decodeURIComponent(path)), size: s.sizeInBytes, lastModified: s.modificationTime })
  }))
  return [...actions.filter((a) => a.kind !== 'sidecar'), ...sidecarActions.flat()]
}

async function readCheckpointFile(engine: Engine, file: FileMeta): Promise<Action[]> {
  if (file.path.endsWith('.json')) return parseCommit(await readText(engine.storage, file.path), file.path)
  return readParquetActions(engine, file)
}

async function readParquetActions(engine: Engine, file: FileMeta): Promise<Action[]> {
  let size = file.size
  if (!size) {
    const head = await engine.storage.head(file.path)
    if (!head) throw new DeltaError('InvalidLog', `${file.path}: the checkpoint file is missing`)
    size = head.size
  }
  // Nested INT96 (old Spark stats_parsed) cannot be decoded exactly: leaving it out only
  // loses those bounds for file skipping.
  const table = await engine.parquet.read(storageSource(engine.storage, file.path, size), { columns: SNAPSHOT_COLUMNS, nestedInt96: 'omit' })
  const out: Action[] = []
  for (const row of plainRows(table)) {
    const a = parseAction(row, file.path)
    if (a) out.push(a)
  }
  return out
}

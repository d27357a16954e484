import type { Action, SidecarAction } from '../model/actions.js'
import { formatAction } from '../model/action-json.js'
import type { Engine } from '../engine/engine.js'
import { LAST_CHECKPOINT_PATH } from '../log/log-path.js'
import { readLastCheckpoint } from '../log/log-segment.js'
import type { CheckpointResult } from './actions-table.js'
import { lastCheckpointChecksum } from './json-checksum.js'

/**
 * What `_last_checkpoint` says of a v2 checkpoint beyond the numbers of every checkpoint
 * (PROTOCOL.md lets a writer embed some or all of it there, so readers can skip a read).
 */
export interface LastCheckpointV2 {
  /** The top-level file's name in `_delta_log`. */
  path: string
  /** Bytes of the top-level file alone. */
  sizeInBytes: number
  modificationTime: number
  /** The checkpoint's non-file actions, when few enough to be worth embedding. */
  nonFileActions?: readonly Action[]
  /** Its sidecars, when few enough to be worth embedding. */
  sidecarFiles?: readonly SidecarAction[]
}

/**
 * Point `_last_checkpoint` at a checkpoint just written, unless it already names a newer one:
 * it only moves forward, so a checkpoint of an older version (time travel, a slow writer) never
 * hides a newer one. It carries `version`, `size`, `sizeInBytes` and `numOfAddFiles` (with
 * parts and sidecars counted, as Spark counts them), `parts` for a multi-part checkpoint, for a
 * v2 checkpoint the `v2Checkpoint` object Spark writes (the top-level file's name, size and time,
 * and the embedded actions if given), and last the `checksum` PROTOCOL.md encourages writers to
 * add (see {@link lastCheckpointChecksum}).
 */
export async function advanceLastCheckpoint(engine: Engine, cp: CheckpointResult, v2?: LastCheckpointV2): Promise<void> {
  const current = await readLastCheckpoint(engine.storage)
  if (current && current.version > cp.version) return
  const hint: Record<string, unknown> = { version: cp.version, size: cp.size }
  if (cp.parts !== undefined) hint.parts = cp.parts
  hint.sizeInBytes = cp.sizeInBytes
  hint.numOfAddFiles = cp.numOfAddFiles
  if (v2) {
    const v2Checkpoint: Record<string, unknown> = { path: v2.path, sizeInBytes: v2.sizeInBytes, modificationTime: v2.modificationTime }
    if (v2.nonFileActions) v2Checkpoint.nonFileActions = v2.nonFileActions.map(actionJson)
    if (v2.sidecarFiles) v2Checkpoint.sidecarFiles = v2.sidecarFiles.map((s) => actionJson(s).sidecar)
    hint.v2Checkpoint = v2Checkpoint
  }
  hint.checksum = lastCheckpointChecksum(hint)
  await engine.storage.put(LAST_CHECKPOINT_PATH, new TextEncoder().encode(JSON.stringify(hint)))
}

/** An action in the log's JSON form (`{ "<kind>": {...} }`), as an object to embed. */
function actionJson(a: Action): Record<string, unknown> {
  return JSON.parse(formatAction(a)) as Record<string, unknown>
}

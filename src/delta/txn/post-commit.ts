import type { MetadataAction } from '../model/actions.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError, isDeltaError } from '../engine/errors.js'
import { writeCheckpoint, shouldCheckpoint } from '../checkpoint/write.js'
import { cleanupExpiredLogs } from '../checkpoint/log-cleanup.js'
import { booleanProperty, EXPIRED_LOG_CLEANUP_KEY } from '../features/table-config.js'
import { loadSnapshot } from '../log/snapshot.js'
import type { PostCommitHookProperties } from './options.js'

/** What post-commit work did. */
export interface PostCommitResult {
  /** Whether a checkpoint was written at the committed version. */
  checkpointCreated: boolean
  /** How many expired log files were deleted. */
  logFilesCleanedUp: number
  /**
   * Why the post-commit work stopped, when it failed. The commit itself landed: the table is
   * readable at the new version, only without the new checkpoint (or with its old log files).
   */
  error?: DeltaError
}

/**
 * After a commit at `version`, with the table's metadata as committed: when the version is due a
 * checkpoint (a multiple of `delta.checkpointInterval`), write one unless `createCheckpoint` is
 * false, then delete expired log files unless `cleanupExpiredLogs` (default: the table's
 * `delta.enableExpiredLogCleanup`, true when unset) is false. The commit has landed already, so
 * a failure here does not throw: it comes back as `error`, the table stays readable, only
 * without the new checkpoint, and the next due version tries again.
 */
export async function runPostCommit(
  engine: Engine, version: number, metadata: MetadataAction, hooks: PostCommitHookProperties = {},
): Promise<PostCommitResult> {
  const result: PostCommitResult = { checkpointCreated: false, logFilesCleanedUp: 0 }
  if (!shouldCheckpoint(version, metadata)) return result
  const createCheckpoint = hooks.createCheckpoint ?? true
  // The caller's choice wins over the table property, as in delta-rs.
  const cleanup = hooks.cleanupExpiredLogs ?? booleanProperty(metadata.configuration, EXPIRED_LOG_CLEANUP_KEY, true)
  if (!createCheckpoint && !cleanup) return result
  try {
    const snapshot = await loadSnapshot(engine, version, { tombstones: createCheckpoint })
    if (createCheckpoint) {
      await writeCheckpoint(engine, snapshot)
      result.checkpointCreated = true
    }
    if (cleanup) result.logFilesCleanedUp = (await cleanupExpiredLogs(engine, snapshot, { enabled: true })).length
  } catch (e) {
    result.error = isDeltaError(e) ? e : new DeltaError('Internal', `post-commit work after version ${version} failed: ${String(e)}`, { cause: e })
  }
  return result
}

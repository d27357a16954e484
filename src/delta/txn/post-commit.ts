import type { MetadataAction } from '../model/actions.js'
import type { Engine } from '../engine/engine.js'
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
}

/**
 * After a commit at `version`, with the table's metadata as committed: when the version is due a
 * checkpoint (a multiple of `delta.checkpointInterval`), write one unless `createCheckpoint` is
 * false, then delete expired log files unless `cleanupExpiredLogs` (default: the table's
 * `delta.enableExpiredLogCleanup`, true when unset) is false. The commit has landed already, so
 * a failure here is swallowed: the table stays readable, only without the new checkpoint, and
 * the next due version tries again.
 */
export async function runPostCommit(
  engine: Engine, version: number, metadata: MetadataAction, hooks: PostCommitHookProperties = {},
): Promise<PostCommitResult> {
  const result: PostCommitResult = { checkpointCreated: false, logFilesCleanedUp: 0 }
  if (!shouldCheckpoint(version, metadata)) return result
  const createCheckpoint = hooks.createCheckpoint ?? true
  const cleanup = hooks.cleanupExpiredLogs ?? booleanProperty(metadata.configuration, EXPIRED_LOG_CLEANUP_KEY, true)
  if (!createCheckpoint && !cleanup) return result
  try {
    const snapshot = await loadSnapshot(engine, version, { tombstones: createCheckpoint })
    if (createCheckpoint) {
      await writeCheckpoint(engine, snapshot)
      result.checkpointCreated = true
    }
    if (cleanup) {
      // The caller's choice wins over the table property, as in delta-rs.
      const configuration = { ...snapshot.metadata.configuration, 'delta.enableExpiredLogCleanup': 'true' }
      const deleted = await cleanupExpiredLogs(engine, { ...snapshot, metadata: { ...snapshot.metadata, configuration } })
      result.logFilesCleanedUp = deleted.length
    }
  } catch {
    // A checkpoint and a clean log are optimisations; the commit stands.
  }
  return result
}

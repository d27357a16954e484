import type { MetadataAction } from '../model/actions.js'
import type { Engine } from '../engine/engine.js'
import { writeCheckpoint, shouldCheckpoint } from '../checkpoint/write.js'
import { cleanupExpiredLogs } from '../checkpoint/log-cleanup.js'
import { loadSnapshot } from '../log/snapshot.js'

/**
 * After a commit: write a checkpoint when the version is due one, then clean up expired log
 * files. The commit has landed already, so a failure here is swallowed: the table stays
 * readable, only without the new checkpoint.
 */
export async function maintainLog(engine: Engine, version: number, metadata: MetadataAction): Promise<void> {
  if (!shouldCheckpoint(version, metadata)) return
  try {
    const snapshot = await loadSnapshot(engine, version, { tombstones: true })
    await writeCheckpoint(engine, snapshot)
    await cleanupExpiredLogs(engine, snapshot)
  } catch {
    // A checkpoint is an optimisation; the next due version tries again.
  }
}

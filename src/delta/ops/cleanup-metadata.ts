import type { Engine } from '../engine/engine.js'
import { cleanupExpiredLogs, logRetentionCutoff } from '../checkpoint/log-cleanup.js'
import { deleteOrphanSidecars } from '../checkpoint/sidecar-cleanup.js'
import { loadSnapshot } from '../log/snapshot.js'
import { checkNumber, checkOptions, type OptionChecks } from './check-options.js'

/** Options of {@link cleanupMetadata}. */
export interface CleanupMetadataOptions {
  /** The current time in ms since the epoch, which retention counts back from; `Date.now()` when omitted. */
  now?: number
}

/** The options {@link cleanupMetadata} accepts. */
export const CLEANUP_METADATA_OPTIONS: OptionChecks = {
  now: (v, key) => checkNumber(v, key, 0),
}

/**
 * Delete the log files that `delta.logRetentionDuration` (default 30 days) no longer keeps, as
 * delta-rs's `DeltaTable.cleanup_metadata()` does, and the v2 checkpoint sidecars no remaining
 * checkpoint names (PROTOCOL.md, Metadata Cleanup). Commits, checkpoints, `.crc` and log
 * compaction files before the newest checkpoint at or before the retention cut-off (midnight
 * UTC) go; that checkpoint and everything after it stay, so every version from it on is still
 * readable; nothing goes when there is no such checkpoint. Then every sidecar in
 * `_delta_log/_sidecars` written before the cut-off (and before the previous UTC day) that no
 * checkpoint left names is deleted. Being asked for, it runs whatever
 * `delta.enableExpiredLogCleanup` says. Returns the deleted paths: log files oldest version
 * first, then sidecars.
 */
export async function cleanupMetadata(engine: Engine, opts: CleanupMetadataOptions = {}): Promise<string[]> {
  checkOptions('cleanupMetadata', opts, CLEANUP_METADATA_OPTIONS)
  const now = opts.now ?? Date.now()
  const snapshot = await loadSnapshot(engine, undefined, { withoutFiles: true })
  const logs = await cleanupExpiredLogs(engine, snapshot, { now, enabled: true })
  const sidecars = await deleteOrphanSidecars(engine, logRetentionCutoff(snapshot.metadata, now), now)
  return [...logs, ...sidecars]
}

import type { MetadataAction } from '../model/actions.js'
import { mapLimit } from '../engine/concurrency.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import { booleanProperty, EXPIRED_LOG_CLEANUP_KEY } from '../features/table-config.js'
import { buildLogSegment, listLog } from '../log/log-segment.js'
import { parseLogFileName, type LogFile } from '../log/log-path.js'
import type { Snapshot } from '../log/snapshot.js'
import type { FileMeta } from '../engine/storage.js'

/** Table property: how long log entries are kept for time travel. */
export const LOG_RETENTION_KEY = 'delta.logRetentionDuration'
/** Default of `delta.logRetentionDuration`, as Spark and delta-rs use. */
export const DEFAULT_LOG_RETENTION = 'interval 30 days'
/** Table property: how long `remove` tombstones are kept in checkpoints (for VACUUM). */
export const DELETED_FILE_RETENTION_KEY = 'delta.deletedFileRetentionDuration'
/** Default of `delta.deletedFileRetentionDuration`, as Spark and delta-rs use. */
export const DEFAULT_DELETED_FILE_RETENTION = 'interval 1 week'

const MS_PER_DAY = 86_400_000
const DELETE_CONCURRENCY = 16

/**
 * How old a temp file in `_delta_log` must be before log cleanup deletes it. A writer holds its
 * temp file for the moments between writing it and linking or moving it into place; one this
 * old belongs to a writer that was killed. Deleting one a writer stalled for longer would only
 * fail that writer's put (the link or move finds no file), never damage the log.
 */
export const ABANDONED_TEMP_AGE_MS = 3_600_000

/**
 * Temp files of log writes: hidden and ending in `.tmp`, as the Node and File System Access
 * storages name them (`.<name>.<random>.tmp`) and as Hadoop log stores do. No Delta log file
 * starts with a dot.
 */
const TEMP_NAME = /^\.[^/]*\.tmp$/

const UNIT_MS: Record<string, number> = {
  microsecond: 0.001, millisecond: 1, second: 1000, minute: 60_000, hour: 3_600_000, day: MS_PER_DAY, week: 7 * MS_PER_DAY,
}

/**
 * Milliseconds of a duration in Spark's interval syntax, as table properties such as
 * `delta.logRetentionDuration` hold them: `interval 30 days`, `interval 1 week`,
 * `interval 2 days 12 hours` (units from microseconds to weeks, singular or plural, the
 * `interval` keyword optional). Months and years have no fixed length and are refused.
 * Anything else is `InvalidArgument` naming the property, so a typo never silently keeps or
 * deletes history.
 */
export function parseInterval(text: string, property = 'the interval'): number {
  const words = text.trim().toLowerCase().split(/\s+/)
  if (words[0] === 'interval') words.shift()
  let total = 0
  if (words.length === 0 || words.length % 2 !== 0) throw badInterval(text, property)
  for (let i = 0; i < words.length; i += 2) {
    const amount = words[i]!
    const unit = UNIT_MS[words[i + 1]!.replace(/s$/, '')]
    if (!/^\d+$/.test(amount) || unit === undefined) throw badInterval(text, property)
    total += Number(amount) * unit
  }
  return total
}

function badInterval(text: string, property: string): DeltaError {
  return new DeltaError('InvalidArgument', `${property} is '${text}', which is not a duration: write it as 'interval <number> <unit>' with a unit from microseconds to weeks, e.g. 'interval 30 days'`)
}

/** A retention property of the table in milliseconds, or its default when unset. */
export function retentionMs(metadata: MetadataAction, key: string, fallback: string): number {
  return parseInterval(metadata.configuration[key] ?? fallback, `table property ${key}`)
}

/**
 * The cut-off of log retention at `now`: midnight UTC of the day `delta.logRetentionDuration`
 * (default 30 days) before it (PROTOCOL.md, Metadata Cleanup). Log files written after it are kept.
 */
export function logRetentionCutoff(metadata: MetadataAction, now: number): number {
  const retention = retentionMs(metadata, LOG_RETENTION_KEY, DEFAULT_LOG_RETENTION)
  return Math.floor((now - retention) / MS_PER_DAY) * MS_PER_DAY
}

/** Options of {@link cleanupExpiredLogs}. */
export interface CleanupOptions {
  /** The current time in ms since the epoch; `Date.now()` when omitted (tests pin it). */
  now?: number
  /**
   * Whether to clean up at all. When omitted, the table's `delta.enableExpiredLogCleanup`
   * decides (true when unset); a caller that made the choice itself (the post-commit hook's
   * `cleanupExpiredLogs`) says so here, and wins over the property.
   */
  enabled?: boolean
}

interface LogEntry {
  meta: FileMeta
  file: LogFile
}

/**
 * Delete expired log files, as PROTOCOL.md's Metadata Cleanup describes, unless `opts.enabled`
 * is false or, without it, the table sets `delta.enableExpiredLogCleanup=false`. The cut-off is midnight UTC of the day
 * `delta.logRetentionDuration` (default 30 days) before `now`; the cut-off commit is the newest
 * one, at or below the snapshot's version, such that it and every commit before it were
 * written (file modification time) by then. The newest complete checkpoint at or below the
 * cut-off commit is kept with everything after it; commits, checkpoints and `.crc` files below
 * it are deleted, as are compacted logs starting at or below it. Without such a checkpoint
 * nothing is deleted. Every version from the kept checkpoint on stays readable.
 *
 * Temp files that killed writers left in `_delta_log` (see {@link ABANDONED_TEMP_AGE_MS}) are
 * deleted too, whatever the retention, once older than an hour by their modification time.
 *
 * Sidecar files of deleted v2 checkpoints are left alone (orphans cost space, never
 * correctness). Returns the deleted paths, oldest version first, then the temp files.
 */
export async function cleanupExpiredLogs(engine: Engine, snapshot: Snapshot, opts: CleanupOptions = {}): Promise<string[]> {
  const enabled = opts.enabled ?? booleanProperty(snapshot.metadata.configuration, EXPIRED_LOG_CLEANUP_KEY, true)
  if (!enabled) return []
  if (!engine.storage.capabilities.write) {
    throw new DeltaError('InvalidArgument', 'this storage is read-only: open the table with a storage that can write to clean up its log')
  }
  const now = opts.now ?? Date.now()
  const cutoffTime = logRetentionCutoff(snapshot.metadata, now)
  const listing = await listLog(engine.storage)
  const entries = classify(listing)
  const keep = findCutoffCheckpoint(listing, entries, cutoffTime, snapshot.version)
  const doomed = keep === undefined ? [] : entries
    .filter(({ file }) => isExpired(file, keep))
    .sort((a, b) => a.file.version - b.file.version)
    .map((e) => e.meta.path)
  for (const meta of listing) if (isAbandonedTemp(meta, now)) doomed.push(meta.path)
  await mapLimit(doomed, DELETE_CONCURRENCY, (path) => engine.storage.delete(path))
  return doomed
}

function isAbandonedTemp(meta: FileMeta, now: number): boolean {
  return TEMP_NAME.test(meta.path.slice(meta.path.lastIndexOf('/') + 1)) && meta.lastModified < now - ABANDONED_TEMP_AGE_MS
}

function classify(listing: readonly FileMeta[]): LogEntry[] {
  const out: LogEntry[] = []
  for (const meta of listing) {
    const file = parseLogFileName(meta.path.slice(meta.path.lastIndexOf('/') + 1))
    if (file) out.push({ meta, file })
  }
  return out
}

/**
 * The version of the checkpoint cleanup must keep, or undefined when there is none (then
 * nothing may go). A log that does not replay cleanly from it (a gap) is left alone too.
 */
function findCutoffCheckpoint(
  listing: FileMeta[], entries: readonly LogEntry[], cutoffTime: number, maxVersion: number,
): number | undefined {
  const commits = entries
    .filter((e) => e.file.kind === 'commit' && e.file.version <= maxVersion)
    .sort((a, b) => a.file.version - b.file.version)
  let cutoffCommit: number | undefined
  // Stop at the first commit written after the cut-off: commits after it are kept whatever
  // their times, so clocks that disagree never cost a version that is still needed.
  for (const c of commits) {
    if (c.meta.lastModified > cutoffTime) break
    cutoffCommit = c.file.version
  }
  if (cutoffCommit === undefined) return undefined
  try {
    return buildLogSegment(listing, cutoffCommit).checkpoint?.version
  } catch {
    return undefined
  }
}

function isExpired(file: LogFile, keep: number): boolean {
  switch (file.kind) {
    case 'commit': case 'checkpoint': case 'crc': return file.version < keep
    case 'compaction': return file.version <= keep
  }
}

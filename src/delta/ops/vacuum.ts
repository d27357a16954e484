import type { Engine } from '../engine/engine.js'
import { mapLimit } from '../engine/concurrency.js'
import { DeltaError } from '../engine/errors.js'
import { throwIfCancelled, type FileMeta } from '../engine/storage.js'
import { checkWriteSupported } from '../features/writer.js'
import { DEFAULT_DELETED_FILE_RETENTION, DELETED_FILE_RETENTION_KEY, retentionMs } from '../checkpoint/log-cleanup.js'
import { listCommits } from '../log/history.js'
import { loadSnapshot, readCommits, type Snapshot } from '../log/snapshot.js'
import type { CommitProperties, PostCommitHookProperties } from '../txn/options.js'
import { startTransaction } from '../txn/transaction.js'
import { checkBoolean, checkNumber, checkOptions, fail, TRANSACTION_OPTIONS, type OptionChecks } from './check-options.js'
import {
  addReferencedPaths, ancestorFolders, CHANGE_DATA_FOLDER, changeDataFolders, folderOf, isHiddenPath, isInLog, listFolders,
  partitionFolderNames, removalTimes, storagePathOf,
} from './vacuum-files.js'

const MS_PER_HOUR = 3_600_000
const DELETE_CONCURRENCY = 16

/** How far a long operation has got: `done` of `total` steps of `phase`. */
export interface VacuumProgress {
  done: number
  total: number
  /** 'delete': files deleted so far. */
  phase: string
}

/** Options of {@link vacuum}, as delta-rs's `DeltaTable.vacuum` in camelCase. */
export interface VacuumOptions {
  /**
   * How long a removed file stays for readers of older versions, in hours. Default: the table's
   * `delta.deletedFileRetentionDuration` (7 days when unset).
   */
  retentionHours?: number
  /** Only say which files would go; delete nothing and commit nothing. Default true, as delta-rs. */
  dryRun?: boolean
  /**
   * Refuse a `retentionHours` shorter than the table's `delta.deletedFileRetentionDuration`.
   * Default true; false lets a caller that knows no reader or writer is behind go lower.
   */
  enforceRetentionDuration?: boolean
  /**
   * Also delete files the log never named (left by failed writes), found by listing the table's
   * folders. Default false: only files the log removed are deleted.
   */
  full?: boolean
  /** Versions whose files are kept whatever their age, for time travel to them. */
  keepVersions?: number[]
  /** Extras for the commits' commitInfo (and app transactions, recorded with `VACUUM END`). */
  commitProperties?: CommitProperties
  postCommitHookProperties?: PostCommitHookProperties
  /** Called after each file deleted. */
  onProgress?: (p: VacuumProgress) => void
  /** Stops the deletion between files with `Cancelled`; files already deleted stay deleted. */
  signal?: AbortSignal
}

/** The options `vacuum` accepts, each with the check of its value. */
export const VACUUM_OPTIONS: OptionChecks = {
  retentionHours: (v, key) => checkNumber(v, key, 0),
  dryRun: checkBoolean,
  enforceRetentionDuration: checkBoolean,
  full: checkBoolean,
  keepVersions: (v, key) => {
    if (!Array.isArray(v) || !v.every((n) => Number.isInteger(n) && n >= 0)) fail(key, v, 'an array of versions (integers >= 0)')
  },
  commitProperties: TRANSACTION_OPTIONS.commitProperties!,
  postCommitHookProperties: TRANSACTION_OPTIONS.postCommitHookProperties!,
  onProgress: (v, key) => { if (typeof v !== 'function') fail(key, v, 'a function') },
  signal: (v, key) => { if (typeof v !== 'object' || v === null || typeof (v as AbortSignal).aborted !== 'boolean') fail(key, v, 'an AbortSignal') },
}

/** What vacuum decided to delete, and the numbers its commits record. */
interface VacuumPlan {
  files: FileMeta[]
  cutoff: number
  retentionMs: number
  tableRetentionMs: number
}

/**
 * Delete the files of a table that no version inside the retention period needs, as delta-rs's
 * `vacuum` and Spark's `VACUUM`. A file goes when:
 * - the log removed it (a tombstone: a data file, or the deletion vector file of a removed
 *   file) longer than the retention ago, and nothing removed it more recently;
 * - or it is a change data file (`_change_data/`) written before the retention period by a
 *   commit older than it;
 * - or, with `full`, the log never named it and it was last written before the retention
 *   period (an orphan of a failed write; a file a running writer is still staging is younger).
 * Never a file the latest version uses (data or deletion vector), nor one of `keepVersions`,
 * nor the log, nor any other top-level name starting with `.` or `_` (except `_change_data`).
 *
 * A retention shorter than the table's `delta.deletedFileRetentionDuration` is refused
 * (`InvalidArgument`) unless `enforceRetentionDuration` is false. A dry run (the default) only
 * returns the paths. Otherwise vacuum commits `VACUUM START` (the retention used and the plan's
 * size), reads the latest version again and spares any candidate a commit since has brought
 * back, deletes the rest, and commits `VACUUM END`; neither commit has file actions. Nothing to
 * delete commits nothing. Writing needs a protocol this library can write (the
 * `vacuumProtocolCheck` feature asks that of dry runs too).
 *
 * The storage lists one folder at a time, so vacuum lists the folders the log leads to (the top,
 * every folder of a file the log names, and their change data folders): a file in a folder no
 * log entry names is not found. Returns the storage paths deleted (or that would be), sorted.
 */
export async function vacuum(engine: Engine, opts: VacuumOptions = {}): Promise<string[]> {
  checkOptions('vacuum', opts, VACUUM_OPTIONS)
  const dryRun = opts.dryRun ?? true
  throwIfCancelled(opts.signal, 'The vacuum')
  if (!dryRun && !engine.storage.capabilities.write) {
    throw new DeltaError('InvalidArgument', 'this storage is read-only: open the table with a storage that can write to vacuum it, or vacuum with dryRun: true')
  }
  const snapshot = await loadSnapshot(engine, undefined, { tombstones: true })
  if (!dryRun || (snapshot.protocol.writerFeatures ?? []).includes('vacuumProtocolCheck')) checkWriteSupported(snapshot.protocol, snapshot.metadata)
  const plan = await planVacuum(engine, snapshot, opts)
  if (dryRun || plan.files.length === 0) return plan.files.map((f) => f.path)

  const started = await startTransaction(engine, snapshot, { operation: 'VACUUM START', ...commitOptions(opts, false) })
    .withOperationParameters({ retentionCheckEnabled: opts.enforceRetentionDuration ?? true, specifiedRetentionMillis: plan.retentionMs, defaultRetentionMillis: plan.tableRetentionMs })
    .withOperationMetrics({ numFilesToDelete: plan.files.length, sizeOfDataToDelete: plan.files.reduce((n, f) => n + f.size, 0) })
    .commit()
  // A writer may have committed since the plan was made (restoring a file, say): what the
  // latest version needs, or removed again recently, stays (delta-rs #3392).
  const latest = await loadSnapshot(engine, undefined, { tombstones: true })
  if (latest.version < started.version) throw new DeltaError('Internal', `vacuum committed version ${started.version} but the log ends at ${latest.version}`)
  checkWriteSupported(latest.protocol, latest.metadata)
  const doomed = spareLatest(plan, latest)
  const deleted = await deleteFiles(engine, doomed, opts)
  await startTransaction(engine, latest, { operation: 'VACUUM END', ...commitOptions(opts, true) })
    .withOperationParameters({ status: 'COMPLETED' })
    .withOperationMetrics({ numDeletedFiles: deleted.length, numVacuumedDirectories: 0 })
    .commit()
  return deleted
}

function commitOptions(opts: VacuumOptions, withAppTransactions: boolean): { commitProperties?: CommitProperties; postCommitHookProperties?: PostCommitHookProperties } {
  const props = opts.commitProperties
  const start: CommitProperties = props?.customMetadata ? { customMetadata: props.customMetadata } : {}
  return {
    ...(props ? { commitProperties: withAppTransactions ? props : start } : {}),
    ...(opts.postCommitHookProperties ? { postCommitHookProperties: opts.postCommitHookProperties } : {}),
  }
}

/** The retention vacuum uses, checked against the table's, in ms. */
function retentionOf(snapshot: Snapshot, opts: VacuumOptions): { retentionMs: number; tableRetentionMs: number } {
  const tableRetentionMs = retentionMs(snapshot.metadata, DELETED_FILE_RETENTION_KEY, DEFAULT_DELETED_FILE_RETENTION)
  const retention = opts.retentionHours === undefined ? tableRetentionMs : opts.retentionHours * MS_PER_HOUR
  if ((opts.enforceRetentionDuration ?? true) && retention < tableRetentionMs) {
    const hours = tableRetentionMs / MS_PER_HOUR
    throw new DeltaError('InvalidArgument', `retentionHours ${opts.retentionHours} is shorter than the table's ${DELETED_FILE_RETENTION_KEY} (${hours} hours): readers and writers of recent versions could lose files they need. Give retentionHours >= ${hours}, or enforceRetentionDuration: false if nothing reads or writes older versions`)
  }
  return { retentionMs: retention, tableRetentionMs }
}

/** Decide which files go: see {@link vacuum}. */
async function planVacuum(engine: Engine, snapshot: Snapshot, opts: VacuumOptions): Promise<VacuumPlan> {
  const { retentionMs: retention, tableRetentionMs } = retentionOf(snapshot, opts)
  const cutoff = Date.now() - retention
  const kept = addReferencedPaths(snapshot, new Set())
  for (const v of [...new Set(opts.keepVersions ?? [])].sort((a, b) => a - b)) {
    if (v > snapshot.version) throw new DeltaError('InvalidArgument', `keepVersions names version ${v}, but the table's latest version is ${snapshot.version}`)
    addReferencedPaths(await loadSnapshot(engine, v), kept)
  }
  const removedAt = removalTimes(snapshot.tombstones ?? [], snapshot.tableUri)
  const known = new Set<string>([...kept, ...removedAt.keys()])
  const dataFolders = new Set([...known].flatMap(ancestorFolders))
  const folders = opts.full ? [...dataFolders] : [...removedAt].filter(([, at]) => at < cutoff).map(([p]) => folderOf(p))
  folders.push(...changeDataFolders(dataFolders))
  // A full vacuum walks the whole table where the storage can (files in folders the log never
  // led to included); else it lists the folders the log names.
  const walk = opts.full && engine.storage.capabilities.listTree && engine.storage.listTree
  const listed = walk
    ? (await engine.storage.listTree!('', opts.signal ? { signal: opts.signal } : {})).filter((f) => !isInLog(f.path))
    : await listFolders(engine, folders, opts.signal)
  const hidden = partitionFolderNames(snapshot)
  const files = listed.filter((f) => {
    if (isInLog(f.path) || kept.has(f.path) || isHiddenPath(f.path, hidden)) return false
    const at = removedAt.get(f.path)
    if (at !== undefined) return at < cutoff
    if (isChangeData(f.path) || opts.full) return f.lastModified < cutoff
    return false
  })
  const recentChanges = files.some((f) => isChangeData(f.path)) ? await changeDataSince(engine, snapshot, cutoff) : new Set<string>()
  return {
    files: files.filter((f) => !recentChanges.has(f.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
    cutoff, retentionMs: retention, tableRetentionMs,
  }
}

function isChangeData(path: string): boolean {
  return path.startsWith(`${CHANGE_DATA_FOLDER}/`)
}

/**
 * The change data files of commits written inside the retention period (by their time in the
 * log): a change data file is written before its commit, so one older than the cut-off may still
 * belong to a version inside it.
 */
async function changeDataSince(engine: Engine, snapshot: Snapshot, cutoff: number): Promise<Set<string>> {
  const recent = (await listCommits(engine)).filter((c) => c.lastModified >= cutoff)
  const out = new Set<string>()
  for (const c of await readCommits(engine, recent)) {
    for (const a of c.actions) {
      if (a.kind !== 'cdc') continue
      const p = storagePathOf(a.path, snapshot.tableUri)
      if (p !== undefined) out.add(p)
    }
  }
  return out
}

/** The planned files the latest version does not need and did not remove again recently. */
function spareLatest(plan: VacuumPlan, latest: Snapshot): FileMeta[] {
  const needed = addReferencedPaths(latest, new Set())
  const removedAt = removalTimes(latest.tombstones ?? [], latest.tableUri)
  return plan.files.filter((f) => !needed.has(f.path) && !((removedAt.get(f.path) ?? Number.NEGATIVE_INFINITY) >= plan.cutoff))
}

/** Delete the files, a few at a time, reporting each and stopping between files when cancelled. */
async function deleteFiles(engine: Engine, files: readonly FileMeta[], opts: VacuumOptions): Promise<string[]> {
  let done = 0
  const deleted: string[] = []
  await mapLimit(files, DELETE_CONCURRENCY, async (f) => {
    throwIfCancelled(opts.signal, 'The vacuum')
    await engine.storage.delete(f.path, opts.signal ? { signal: opts.signal } : {})
    deleted.push(f.path)
    opts.onProgress?.({ done: ++done, total: files.length, phase: 'delete' })
  })
  return deleted.sort()
}

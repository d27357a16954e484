import type { Engine } from '../engine/engine.js'
import { mapLimit } from '../engine/concurrency.js'
import { DeltaError } from '../engine/errors.js'
import { deletionVectorPath } from '../dv/deletion-vector.js'
import { resolveDataPath } from '../log/data-path.js'
import { loadSnapshot, type Snapshot } from '../log/snapshot.js'
import { versionAtTimestamp } from '../log/time-travel.js'
import { fileActionKey, plainAdd, type AddAction, type ProtocolAction } from '../model/actions.js'
import { transactionOptions, type TransactionOptions } from '../txn/options.js'
import { startTransaction } from '../txn/transaction.js'
import { requiredProtocol } from '../write/features/protocol-select.js'
import { checkBoolean, checkOptions, TRANSACTION_OPTIONS, type OptionChecks } from './check-options.js'
import { elapsedMs, sizeOf } from './commit-changes.js'

/** Options of `restoreTable`: the commit's, and how strict the restore is. */
export interface RestoreOptions extends TransactionOptions {
  /**
   * Restore even when a file of the target version is gone from storage (vacuumed): the
   * restored version then names files that cannot be read. Default false (refused).
   */
  ignoreMissingFiles?: boolean
  /**
   * Take the target version's protocol even when it is lower than the latest one. Default
   * false: the protocol is kept (raised only if the target's metadata needs more).
   */
  protocolDowngradeAllowed?: boolean
}

/** The options `restoreTable` accepts. */
export const RESTORE_OPTIONS: OptionChecks = {
  ignoreMissingFiles: checkBoolean,
  protocolDowngradeAllowed: checkBoolean,
  ...TRANSACTION_OPTIONS,
}

/** What a restore did: delta-rs's metrics (camelCase), Spark's, and the version it committed. */
export interface RestoreResult {
  version: number
  /** delta-rs: files of the target version added back. */
  numRestoredFile: number
  /** delta-rs: files of the latest version removed. */
  numRemovedFile: number
  /** Spark: bytes of the table's files after the restore. */
  tableSizeAfterRestore: number
  /** Spark: files of the table after the restore. */
  numOfFilesAfterRestore: number
  /** Spark: as `numRemovedFile`. */
  numRemovedFiles: number
  /** Spark: as `numRestoredFile`. */
  numRestoredFiles: number
  /** Spark: bytes of the removed files. */
  removedFilesSize: number
  /** Spark: bytes of the restored files. */
  restoredFilesSize: number
  executionTimeMs: number
}

/** The version to restore: a version number, or a time (a `Date`, or an ISO 8601 string). */
export type RestoreTarget = number | Date | string

/**
 * Restore the table to an earlier version, as delta-rs's `restore` and Spark's `RESTORE`: one
 * new commit adds back (dataChange true) the files of the target version the latest lacks,
 * removes the latest's files the target lacks (files told apart by path and deletion vector),
 * and sets the target's metadata. The protocol stays the latest's unless `protocolDowngradeAllowed`.
 * Older versions stay readable by time travel. The target must be older than the latest version;
 * a target file missing from storage is `NotFound` unless `ignoreMissingFiles`. Nothing is
 * written before every check passed. Records commitInfo as Spark's `RESTORE`.
 */
export async function restoreTable(engine: Engine, target: RestoreTarget, opts: RestoreOptions = {}): Promise<RestoreResult> {
  const start = performance.now()
  checkOptions('restore', opts, RESTORE_OPTIONS)
  const when = targetTime(target)
  const latest = await loadSnapshot(engine)
  const version = when === undefined ? (target as number) : await versionAtTimestamp(engine, when)
  if (version >= latest.version) {
    throw new DeltaError('InvalidArgument', `cannot restore to version ${version}: restore to a version older than the latest (${latest.version})`)
  }
  const old = await loadSnapshot(engine, version)
  const txn = startTransaction(engine, latest, { ...transactionOptions(opts), operation: 'RESTORE' })
  const latestKeys = new Set(latest.files.map((f) => fileActionKey(f.path, f.deletionVector)))
  const oldKeys = new Set(old.files.map((f) => fileActionKey(f.path, f.deletionVector)))
  const restored = old.files.filter((f) => !latestKeys.has(fileActionKey(f.path, f.deletionVector))).map((f) => ({ ...plainAdd(f), dataChange: true }))
  const removed = latest.files.filter((f) => !oldKeys.has(fileActionKey(f.path, f.deletionVector)))
  if (!opts.ignoreMissingFiles) await checkFilesExist(engine, old, restored)
  const metrics = {
    numRestoredFiles: restored.length,
    numRemovedFiles: removed.length,
    restoredFilesSize: sizeOf(restored),
    removedFilesSize: sizeOf(removed),
    numOfFilesAfterRestore: old.files.length,
    tableSizeAfterRestore: sizeOf(old.files.toArray()),
  }
  txn.setMetadata(old.metadata)
  const protocol = restoredProtocol(latest, old, opts.protocolDowngradeAllowed === true)
  if (JSON.stringify(protocol) !== JSON.stringify(latest.protocol)) txn.setProtocol(protocol)
  txn.removeFiles(removed)
    .addFiles(restored)
    .readFrom({ files: new Set(latest.files.map((f) => f.path)), mayHaveRead: () => true })
    .withOperationParameters({ version: when === undefined ? version : null, timestamp: when === undefined ? null : new Date(when).toISOString() })
    .withOperationMetrics(metrics)
  const committed = await txn.commit()
  return { version: committed.version, numRestoredFile: restored.length, numRemovedFile: removed.length, ...metrics, executionTimeMs: elapsedMs(start) }
}

/** Milliseconds of a time target, undefined for a version; bad targets are `InvalidArgument`. */
function targetTime(target: RestoreTarget): number | undefined {
  if (typeof target === 'number') {
    if (!Number.isInteger(target) || target < 0) throw new DeltaError('InvalidArgument', `the version to restore must be a non-negative integer, got ${target}`)
    return undefined
  }
  const ms = target instanceof Date ? target.getTime() : typeof target === 'string' ? Date.parse(target) : NaN
  if (Number.isNaN(ms)) {
    throw new DeltaError('InvalidArgument', `restore takes a version number, a Date or an ISO 8601 time such as '2026-01-31T12:00:00Z'; got ${String(target)}`)
  }
  return ms
}

/**
 * The protocol after the restore: the target's when a downgrade is allowed, else the latest's,
 * raised if the target's metadata uses a feature it lacks (a restore never lowers it silently).
 */
function restoredProtocol(latest: Snapshot, old: Snapshot, downgrade: boolean): ProtocolAction {
  if (downgrade) return old.protocol
  return requiredProtocol({ schema: old.schema, configuration: old.metadata.configuration, partitionColumns: old.metadata.partitionColumns }, latest.protocol)
}

/** How many files are checked at once. */
const HEAD_CONCURRENCY = 32

/** Refuse with `NotFound` when a file to restore (a data file or its deletion vector's file) is gone from storage. */
async function checkFilesExist(engine: Engine, old: Snapshot, files: readonly AddAction[]): Promise<void> {
  const missing: string[] = []
  const paths = new Set<string>()
  for (const f of files) {
    paths.add(resolveDataPath(f.path, old.tableUri))
    const dv = f.deletionVector ? deletionVectorPath(f.deletionVector, old.tableUri) : undefined
    if (dv !== undefined) paths.add(dv)
  }
  await mapLimit([...paths], HEAD_CONCURRENCY, async (path) => {
    if (!(await engine.storage.head(path))) missing.push(path)
  })
  if (missing.length > 0) {
    missing.sort()
    const shown = missing.slice(0, 5).map((p) => `'${p}'`).join(', ')
    throw new DeltaError('NotFound', `cannot restore to version ${old.version}: ${missing.length} of its file${missing.length > 1 ? 's are' : ' is'} gone from storage (${shown}${missing.length > 5 ? ', ...' : ''}), maybe vacuumed; pass ignoreMissingFiles to restore anyway`)
  }
}

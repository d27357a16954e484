import type { AddAction } from '../model/actions.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import { resolveDataPath } from '../log/data-path.js'
import { loadSnapshot } from '../log/snapshot.js'
import type { CommitProperties, PostCommitHookProperties } from '../txn/options.js'
import { startTransaction } from '../txn/transaction.js'
import { checkBoolean, checkOptions, TRANSACTION_OPTIONS, type OptionChecks } from './check-options.js'
import { folderOf, listFolders } from './vacuum-files.js'

/** Options of {@link repair}, as delta-rs's `DeltaTable.repair` in camelCase. */
export interface RepairOptions {
  /** Only say which files would be removed from the table; commit nothing. Default false, as delta-rs. */
  dryRun?: boolean
  commitProperties?: CommitProperties
  postCommitHookProperties?: PostCommitHookProperties
}

/** What a repair did, as delta-rs's `FileSystemCheckMetrics` in camelCase. */
export interface RepairResult {
  dryRun: boolean
  /** The paths (as the log writes them) of the active files removed because their data file is missing. */
  filesRemoved: string[]
}

/** The options `repair` accepts, each with the check of its value. */
export const REPAIR_OPTIONS: OptionChecks = {
  dryRun: checkBoolean,
  commitProperties: TRANSACTION_OPTIONS.commitProperties!,
  postCommitHookProperties: TRANSACTION_OPTIONS.postCommitHookProperties!,
}

/**
 * Take out of the table the active files whose data file is missing from storage, as
 * delta-rs's file system check: one commit (`FSCK`) removes them (`dataChange` true: their
 * rows leave the table), so the table reads again, without those rows. Storage is listed
 * folder by folder (the folders of the active files), not probed file by file. A file named
 * by an absolute URI outside the table cannot be checked and is refused (`UnsupportedFeature`),
 * as delta-rs refuses absolute paths. Nothing missing commits nothing; a dry run commits
 * nothing either. An append-only table refuses to lose the files (`InvalidArgument`).
 */
export async function repair(engine: Engine, opts: RepairOptions = {}): Promise<RepairResult> {
  checkOptions('repair', opts, REPAIR_OPTIONS)
  const dryRun = opts.dryRun ?? false
  if (!dryRun && !engine.storage.capabilities.write) {
    throw new DeltaError('InvalidArgument', 'this storage is read-only: open the table with a storage that can write to repair it, or repair with dryRun: true')
  }
  const snapshot = await loadSnapshot(engine)
  const txn = dryRun ? undefined : startTransaction(engine, snapshot, {
    operation: 'FSCK',
    ...(opts.commitProperties ? { commitProperties: opts.commitProperties } : {}),
    ...(opts.postCommitHookProperties ? { postCommitHookProperties: opts.postCommitHookProperties } : {}),
  })
  const byPath = new Map<string, AddAction[]>()
  for (const add of snapshot.files) {
    const path = resolveDataPath(add.path, snapshot.tableUri)
    const same = byPath.get(path)
    if (same) same.push(add)
    else byPath.set(path, [add])
  }
  const listed = new Set((await listFolders(engine, [...byPath.keys()].map(folderOf))).map((f) => f.path))
  const missing = [...byPath].filter(([path]) => !listed.has(path)).flatMap(([, adds]) => adds)
  const filesRemoved = missing.map((a) => a.path)
  if (!txn || missing.length === 0) return { dryRun, filesRemoved }
  await txn.removeFiles(missing, true)
    .withOperationMetrics({ numRemovedFiles: missing.length })
    .readFrom({ files: new Set(filesRemoved) })
    .commit()
  return { dryRun, filesRemoved }
}

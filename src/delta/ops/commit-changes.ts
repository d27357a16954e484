import type { ReadSet } from '../txn/conflict.js'
import { isDeltaError } from '../engine/errors.js'
import { changeFileOf } from '../txn/file-actions.js'
import type { Transaction } from '../txn/transaction.js'
import type { RowChanges, RowRewriter } from './row-changes.js'

/**
 * Commit what a row-level operation wrote, with what it read for the conflict checks, and return
 * the version it landed as. When the commit surely did not land (a conflict, or a refusal before
 * it was tried), the files written are deleted; after any other failure they may be part of the
 * table now, and orphans are vacuum's business.
 */
export async function commitRowChanges(txn: Transaction, rewriter: RowRewriter, changes: RowChanges, read: ReadSet): Promise<number> {
  txn.removeFiles(changes.removed)
    .addFiles(changes.added)
    .addChangeFiles(changes.changeFiles.map(changeFileOf))
    .readFrom(read)
  try {
    return (await txn.commit()).version
  } catch (e) {
    if (isDeltaError(e, 'CommitConflict') || !txn.commitAttempted) await rewriter.discard()
    throw e
  }
}

/** Spark's deletion vector metrics of a DELETE or UPDATE (a MERGE prefixes them with `Target`). */
export function deletionVectorMetrics(changes: RowChanges, prefix = ''): Record<string, number> {
  const dv = changes.deletionVectors
  return {
    [`num${prefix}DeletionVectorsAdded`]: dv.added,
    [`num${prefix}DeletionVectorsRemoved`]: dv.removed,
    [`num${prefix}DeletionVectorsUpdated`]: dv.updated,
  }
}

/** Bytes of the files. */
export function sizeOf(files: readonly { size: number }[]): number {
  return files.reduce((n, f) => n + f.size, 0)
}

/** Milliseconds since `start` (a `performance.now()` reading), whole. */
export function elapsedMs(start: number): number {
  return Math.round(performance.now() - start)
}

import type { Expr } from '../expr/index.js'
import type { Snapshot } from '../log/snapshot.js'
import type { AddAction } from '../model/actions.js'
import { fileMayMatch } from '../scan/plan.js'
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

/** The files a predicate may match (by partition values and stats), all without a skipping filter. */
export function filesToRead(snapshot: Snapshot, skipping: Expr | undefined): AddAction[] {
  return skipping ? snapshot.files.filter((f) => fileMayMatch(snapshot, f, skipping)) : snapshot.files.toArray()
}

/**
 * Commit a DELETE or UPDATE: Spark's operation parameters (the predicate as a JSON list), the
 * operation's metrics with the change-file, deletion-vector and byte counts, and what it read
 * (the candidate files, and the skipping filter for files added concurrently).
 */
export async function commitPredicateChanges(
  txn: Transaction, rewriter: RowRewriter, changes: RowChanges,
  read: { snapshot: Snapshot; predicate: string | undefined; candidates: readonly AddAction[]; skipping: Expr | undefined },
  metrics: Record<string, number>, start: number,
): Promise<number> {
  const { snapshot, skipping } = read
  txn.withOperationParameters({ predicate: JSON.stringify(read.predicate !== undefined ? [read.predicate] : []) })
    .withOperationMetrics({
      ...metrics, numAddedChangeFiles: changes.changeFiles.length,
      ...(rewriter.deletionVectors && deletionVectorMetrics(changes)),
      numRemovedBytes: sizeOf(changes.removed), numAddedBytes: sizeOf(changes.added),
      executionTimeMs: elapsedMs(start),
    })
  return commitRowChanges(txn, rewriter, changes, {
    files: new Set(read.candidates.map((f) => f.path)),
    mayHaveRead: (a) => !skipping || fileMayMatch(snapshot, a, skipping),
  })
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

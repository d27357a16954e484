import type { Engine } from '../engine/engine.js'
import { filterTable } from '../arrow/index.js'
import { loadSnapshot, type Snapshot } from '../log/snapshot.js'
import { transactionOptions, type DataWriteOptions } from '../txn/options.js'
import { startTransaction } from '../txn/transaction.js'
import { checkOptions, checkPredicate, DELETE_OPTIONS } from './check-options.js'
import { commitPredicateChanges, elapsedMs, filesToRead } from './commit-changes.js'
import { RowRewriter, withChangeType } from './row-changes.js'
import { parseRowPredicate } from './row-predicate.js'

/**
 * Options of a delete: the commit's (`commitProperties`, `postCommitHookProperties`,
 * `isolationLevel`, `retryBudgetMs`) and the rewritten files' (`writerProperties`).
 */
export type DeleteOptions = DataWriteOptions

/** What a delete did, as delta-rs's delete metrics in camelCase, and the version it committed. */
export interface DeleteResult {
  /** The version the delete committed, or the table's version when it deleted nothing (and did not commit). */
  version: number
  /** Data files written (the rows kept of rewritten files); 0 with deletion vectors. */
  numAddedFiles: number
  /** Files removed: emptied, or rewritten without the deleted rows. */
  numRemovedFiles: number
  numDeletedRows: number
  /** Rows written again because their file was rewritten. */
  numCopiedRows: number
  executionTimeMs: number
  /** Time reading the candidate files and finding the rows. */
  scanTimeMs: number
  /** Time writing files. */
  rewriteTimeMs: number
}

/**
 * Delete the rows matching a predicate (all rows without one; a blank one is refused). Files the
 * predicate cannot match (by partition values and stats) are not read. On a table with deletion
 * vectors enabled (`delta.enableDeletionVectors` and the feature), matching rows are marked in
 * deletion vectors and no file is rewritten; otherwise files holding matching rows are rewritten
 * without them (copy-on-write). Files whose every row goes are removed either way. With the
 * change data feed on, the deleted rows are recorded as `delete` changes. An append-only table
 * refuses before anything is read; options and the predicate are checked first, so bad ones
 * change nothing. Records commitInfo as Spark's `DELETE`.
 *
 * `from` is the snapshot to change (a table object's, its stats loaded); the latest when omitted.
 * A newer version committed since is checked for conflicts as any concurrent commit is.
 *
 * `opts` holds only the delete's own options (`DeleteOptions`); anything else is refused as a
 * typo, so a caller that carries its own keys strips them first.
 */
export async function deleteRows(engine: Engine, predicate?: string, opts: DeleteOptions = {}, from?: Snapshot): Promise<DeleteResult> {
  const start = performance.now()
  checkOptions('delete', opts, DELETE_OPTIONS)
  if (predicate !== undefined) checkPredicate(predicate, 'the delete predicate')
  const snapshot = from ?? await loadSnapshot(engine)
  const txn = startTransaction(engine, snapshot, { ...transactionOptions(opts), operation: 'DELETE' }).assertRemovable()
  const matcher = predicate !== undefined ? parseRowPredicate(predicate, snapshot.schema) : undefined
  const expr = matcher?.skipping
  const candidates = filesToRead(snapshot, expr)
  const rewriter = new RowRewriter(engine, snapshot, opts)
  const changes = await rewriter.rewrite(candidates, (rows) => {
    const gone = matcher ? matcher.matches(rows) : new Uint8Array(rows.numRows).fill(1)
    const deleted = rewriter.changeDataFeed && gone.includes(1) ? [withChangeType(filterTable(rows, gone), 'delete')] : []
    return { gone, changes: deleted }
  }, { columns: matcher ? matcher.columns : [] })
  const result = {
    numAddedFiles: changes.filesWritten, numRemovedFiles: changes.filesRemoved,
    numDeletedRows: changes.rowsGone, numCopiedRows: changes.rowsCopied,
    scanTimeMs: changes.scanTimeMs, rewriteTimeMs: changes.rewriteTimeMs,
  }
  if (changes.removed.length === 0) return { version: snapshot.version, ...result, executionTimeMs: elapsedMs(start) }
  const version = await commitPredicateChanges(txn, rewriter, changes, { snapshot, predicate, candidates, skipping: expr }, result, start)
  return { version, ...result, executionTimeMs: elapsedMs(start) }
}

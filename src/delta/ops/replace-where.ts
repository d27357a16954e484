import type { Engine } from '../engine/engine.js'
import { evaluateFilter, type Expr } from '../expr/index.js'
import { filterTable } from '../arrow/index.js'
import type { Snapshot } from '../log/snapshot.js'
import type { StructType } from '../model/schema.js'
import { fileMayMatch } from '../scan/plan.js'
import { changeFileOf } from '../txn/file-actions.js'
import type { Transaction } from '../txn/transaction.js'
import type { WriteOptions } from '../write/write-options.js'
import { filesToRead } from './commit-changes.js'
import { RowRewriter, withChangeType, type RowChanges } from './row-changes.js'

/** What removing the rows an overwrite replaces did. */
export interface ReplacedRows {
  changes: RowChanges
  rewriter: RowRewriter
}

/**
 * The first half of an overwrite whose predicate reads data columns (delta-rs's and Spark's
 * `replaceWhere`): the rows matching it are removed from the files that may hold them, those
 * files rewritten without them (or marked in deletion vectors), and the actions handed to the
 * transaction, with what was read for its conflict checks. The caller writes the new rows and
 * commits; on failure it discards through `rewriter`.
 */
export async function removeMatchingRows(
  engine: Engine, txn: Transaction, current: Snapshot, predicate: Expr, schema: StructType, opts: WriteOptions,
): Promise<ReplacedRows> {
  const candidates = filesToRead(current, predicate)
  const writerProperties = { ...opts.writerProperties, compression: opts.writerProperties?.compression ?? opts.compression }
  const rewriter = new RowRewriter(engine, current, { writerProperties }, schema)
  const changes = await rewriter.rewrite(candidates, (rows) => {
    const gone = evaluateFilter(predicate, rows)
    return { gone, changes: rewriter.changeDataFeed && gone.includes(1) ? [withChangeType(filterTable(rows, gone), 'delete')] : [] }
  })
  try {
    txn.removeFiles(changes.removed)
      .addFiles(changes.added)
      .addChangeFiles(changes.changeFiles.map(changeFileOf))
      .readFrom({ files: new Set(candidates.map((f) => f.path)), mayHaveRead: (a) => fileMayMatch(current, a, predicate) })
    return { changes, rewriter }
  } catch (e) {
    await rewriter.discard()
    throw e
  }
}

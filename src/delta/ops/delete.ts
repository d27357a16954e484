import { Table } from 'apache-arrow'
import type { AddAction } from '../model/actions.js'
import { filterTable } from '../arrow/index.js'
import { mapAhead } from '../engine/concurrency.js'
import type { Engine } from '../engine/engine.js'
import { isDeltaError } from '../engine/errors.js'
import { evaluateFilter, parseFilter, type Expr } from '../expr/index.js'
import { booleanProperty, CHANGE_DATA_FEED_KEY, statsSettings } from '../features/table-config.js'
import { fileMayMatch, planScan } from '../scan/plan.js'
import { FILE_READ_CONCURRENCY, readDataFile } from '../scan/read.js'
import { loadSnapshot, type Snapshot } from '../log/snapshot.js'
import { changeFileOf } from '../txn/file-actions.js'
import { transactionOptions, type DataWriteOptions } from '../txn/options.js'
import { startTransaction, type Transaction } from '../txn/transaction.js'
import { DataFileWriter, discardFiles, type DataFileOptions } from '../write/data-files.js'
import { checkOptions, checkPredicate, DELETE_OPTIONS } from './check-options.js'
import { markDeletedRows, usesDeletionVectors, withChangeType, type MarkedDeletes } from './delete-dv.js'

/**
 * Options of a delete: the commit's (`commitProperties`, `postCommitHookProperties`,
 * `isolationLevel`, `retryBudgetMs`) and the rewritten files' (`writerProperties`).
 */
export type DeleteOptions = DataWriteOptions

/** What a delete did. */
export interface DeleteResult {
  version: number
  rowsDeleted: number
  filesRemoved: number
  filesAdded: number
}

/** What scanning the candidate files found and wrote. */
interface Rewrite {
  removed: AddAction[]
  adds: AddAction[]
  changeFiles: AddAction[]
  rowsDeleted: number
  rowsCopied: number
  /** Every file written, for clean-up when the commit does not land. */
  paths: string[]
}

/**
 * Delete the rows matching a predicate (all rows without one; a blank one is refused) by
 * rewriting the files that hold them (copy-on-write): files where every row matches are
 * removed, files with some matching rows are rewritten without them, with the table's stats
 * settings. On a table with deletion vectors enabled (`delta.enableDeletionVectors` and the
 * feature), matching rows are marked in deletion vectors instead, and no file is rewritten. With the change data feed on, the
 * deleted rows also go to `_change_data`. An append-only table refuses before anything is read;
 * options and the predicate are checked first, so bad ones change nothing.
 *
 * `opts` holds only the delete's own options (`DeleteOptions`); anything else is refused as a
 * typo, so a caller that carries its own keys strips them first.
 */
export async function deleteRows(engine: Engine, predicate?: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
  checkOptions('delete', opts, DELETE_OPTIONS)
  if (predicate !== undefined) checkPredicate(predicate, 'the delete predicate')
  const snapshot = await loadSnapshot(engine)
  const txn = startTransaction(engine, snapshot, { ...transactionOptions(opts), operation: 'DELETE' }).assertRemovable()
  const expr = predicate !== undefined ? parseFilter(predicate, snapshot.schema) : undefined
  const candidates = expr ? snapshot.files.filter((f) => fileMayMatch(snapshot, f, expr)) : snapshot.files.toArray()
  if (usesDeletionVectors(snapshot)) return deleteWithDeletionVectors(engine, snapshot, txn, candidates, expr, predicate, opts)
  const rewrite = await rewriteFiles(engine, snapshot, candidates, expr, opts)
  if (rewrite.removed.length === 0) return { version: snapshot.version, rowsDeleted: 0, filesRemoved: 0, filesAdded: 0 }
  txn.removeFiles(rewrite.removed)
    .addFiles(rewrite.adds)
    .addChangeFiles(rewrite.changeFiles.map(changeFileOf))
    .readFrom({ files: new Set(candidates.map((f) => f.path)), mayHaveRead: (a) => !expr || fileMayMatch(snapshot, a, expr) })
    .withOperationParameters({ predicate: JSON.stringify(predicate !== undefined ? [predicate] : []) })
    .withOperationMetrics({
      numRemovedFiles: rewrite.removed.length, numAddedFiles: rewrite.adds.length, numAddedChangeFiles: rewrite.changeFiles.length,
      numDeletedRows: rewrite.rowsDeleted, numCopiedRows: rewrite.rowsCopied,
      numRemovedBytes: sizeOf(rewrite.removed), numAddedBytes: sizeOf(rewrite.adds),
    })
  try {
    const committed = await txn.commit()
    return { version: committed.version, rowsDeleted: rewrite.rowsDeleted, filesRemoved: rewrite.removed.length, filesAdded: rewrite.adds.length }
  } catch (e) {
    if (isDeltaError(e, 'CommitConflict') || !txn.commitAttempted) await discardFiles(engine, rewrite.paths)
    throw e
  }
}

/**
 * The delete of a table with deletion vectors enabled: matching rows are marked in each file's
 * deletion vector (see `markDeletedRows`); no data file is rewritten, and a file left with no row
 * is removed. The metrics add Spark's `numDeletionVectorsAdded`, `numDeletionVectorsRemoved` and
 * `numDeletionVectorsUpdated`.
 */
async function deleteWithDeletionVectors(
  engine: Engine, snapshot: Snapshot, txn: Transaction, candidates: AddAction[], expr: Expr | undefined, predicate: string | undefined, opts: DeleteOptions,
): Promise<DeleteResult> {
  const cdf = booleanProperty(snapshot.metadata.configuration, CHANGE_DATA_FEED_KEY)
  const changes = cdf ? new DataFileWriter(engine, { ...writerOptions(snapshot, opts, true), changeData: true }) : undefined
  let marked: MarkedDeletes
  let changeFiles: AddAction[] = []
  try {
    marked = await markDeletedRows(engine, snapshot, candidates, expr, changes)
    changeFiles = changes ? await changes.finish() : []
  } catch (e) {
    await discardFiles(engine, changes?.writtenPaths ?? [])
    throw e
  }
  const paths = [...marked.paths, ...(changes?.writtenPaths ?? [])]
  const removed = [...marked.removed, ...marked.replaced.map((r) => r.old)]
  if (removed.length === 0) return { version: snapshot.version, rowsDeleted: 0, filesRemoved: 0, filesAdded: 0 }
  const hadVector = (f: AddAction) => f.deletionVector !== null && f.deletionVector !== undefined
  txn.removeFiles(removed)
    .addFiles(marked.replaced.map((r) => r.add))
    .addChangeFiles(changeFiles.map(changeFileOf))
    .readFrom({ files: new Set(candidates.map((f) => f.path)), mayHaveRead: (a) => !expr || fileMayMatch(snapshot, a, expr) })
    .withOperationParameters({ predicate: JSON.stringify(predicate !== undefined ? [predicate] : []) })
    .withOperationMetrics({
      numRemovedFiles: marked.removed.length, numAddedFiles: 0, numAddedChangeFiles: changeFiles.length,
      numDeletedRows: marked.rowsDeleted, numCopiedRows: 0,
      numDeletionVectorsAdded: marked.replaced.filter((r) => !hadVector(r.old)).length,
      numDeletionVectorsRemoved: removed.filter(hadVector).length - marked.replaced.filter((r) => hadVector(r.old)).length,
      numDeletionVectorsUpdated: marked.replaced.filter((r) => hadVector(r.old)).length,
      numRemovedBytes: sizeOf(marked.removed), numAddedBytes: 0,
    })
  try {
    const committed = await txn.commit()
    return { version: committed.version, rowsDeleted: marked.rowsDeleted, filesRemoved: marked.removed.length, filesAdded: 0 }
  } catch (e) {
    if (isDeltaError(e, 'CommitConflict') || !txn.commitAttempted) await discardFiles(engine, paths)
    throw e
  }
}

/** Read each candidate file, and rewrite those holding matching rows without them. */
async function rewriteFiles(engine: Engine, snapshot: Snapshot, candidates: AddAction[], expr: Expr | undefined, opts: DeleteOptions): Promise<Rewrite> {
  const cdf = booleanProperty(snapshot.metadata.configuration, CHANGE_DATA_FEED_KEY)
  const rewrite = new DataFileWriter(engine, writerOptions(snapshot, opts))
  const changes = cdf ? new DataFileWriter(engine, { ...writerOptions(snapshot, opts, true), changeData: true }) : undefined
  const result: Rewrite = { removed: [], adds: [], changeFiles: [], rowsDeleted: 0, rowsCopied: 0, paths: [] }
  try {
    // The next files are read while this one is filtered and rewritten.
    const files = mapAhead(candidates, FILE_READ_CONCURRENCY, async (file) => ({ file, rows: await readWholeFile(engine, snapshot, file) }))
    for await (const { file, rows } of files) {
      const mask = expr ? evaluateFilter(expr, rows) : new Uint8Array(rows.numRows).fill(1)
      const hits = mask.reduce((n, m) => n + m, 0)
      if (hits === 0) continue
      result.removed.push(file)
      result.rowsDeleted += hits
      result.rowsCopied += rows.numRows - hits
      if (hits < rows.numRows) await rewrite.write(filterTable(rows, mask.map((m) => 1 - m)))
      if (changes) await changes.write(withChangeType(filterTable(rows, mask), 'delete'))
    }
    result.adds = await rewrite.finish()
    result.changeFiles = changes ? await changes.finish() : []
    result.paths = [...rewrite.writtenPaths, ...(changes?.writtenPaths ?? [])]
    return result
  } catch (e) {
    await discardFiles(engine, [...rewrite.writtenPaths, ...(changes?.writtenPaths ?? [])])
    throw e
  }
}

async function readWholeFile(engine: Engine, snapshot: Snapshot, file: AddAction): Promise<Table> {
  const plan = planScan({ ...snapshot, files: [file] })
  return new Table(await readDataFile(engine, snapshot, plan, file))
}

/** How the rewritten (or change data) files are written: the table's layout and stats settings. */
function writerOptions(snapshot: Snapshot, opts: DeleteOptions, changeType = false): DataFileOptions {
  const schema = changeType
    ? { type: 'struct' as const, fields: [...snapshot.schema.fields, { name: '_change_type', type: 'string' as const, nullable: false, metadata: {} }] }
    : snapshot.schema
  return {
    schema, partitionColumns: snapshot.metadata.partitionColumns, columnMapping: snapshot.columnMapping,
    writerProperties: opts.writerProperties, ...statsSettings(snapshot.metadata.configuration),
  }
}


function sizeOf(files: readonly AddAction[]): number {
  return files.reduce((n, f) => n + f.size, 0)
}

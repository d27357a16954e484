import { Table, type RecordBatch } from 'apache-arrow'
import type { AddAction } from '../model/actions.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError, isDeltaError } from '../engine/errors.js'
import { columnsOf, evaluateFilter, parseFilter, type Expr } from '../expr/index.js'
import { statsSettings } from '../features/table-config.js'
import { fileMayMatch } from '../scan/plan.js'
import { isTableMissing } from '../log/log-segment.js'
import { loadSnapshot, type Snapshot } from '../log/snapshot.js'
import { startTransaction, type Transaction } from '../txn/transaction.js'
import { transactionOptions } from '../txn/options.js'
import { DataFileWriter, discardFiles, type DataFileOptions } from '../write/data-files.js'
import { changeFileOf } from '../txn/file-actions.js'
import { removeMatchingRows } from './replace-where.js'
import { withChangeColumn, withChangeType } from './row-changes.js'
import { inputBatches, type WriteData } from '../write/input.js'
import { arrowSchemaToDelta } from '../write/arrow-to-delta.js'
import { prepareBatch, type BatchContext } from '../write/prepare.js'
import { planTable, type TablePlan } from '../write/table-plan.js'
import type { WriteOptions } from '../write/write-options.js'
import { checkOptions, WRITE_OPTIONS } from './check-options.js'

/** What a write did. */
export interface WriteResult {
  /** The version the write committed, or the table's version when it wrote nothing. */
  version: number
  /** True when the write was skipped (mode 'ignore' on an existing table, or an app transaction already applied). */
  skipped: boolean
  filesAdded: number
  filesRemoved: number
  rowsWritten: number
  /** How many commit attempts it took (1 when no other writer got in the way). */
  attempts: number
}

/** The data files a write staged, before its commit. */
interface Staged {
  adds: AddAction[]
  /** Change data of the new rows, when the commit records change data files. */
  changeFiles: AddAction[]
  rows: number
  /** The schema after the write (identity columns move their high-water mark). */
  schema: TablePlan['schema']
  /** Every file written, for clean-up when the commit does not land. */
  paths: string[]
}

/**
 * Write data to a table: create it, append to it, or overwrite it (whole, or the rows matching
 * a predicate). Options are checked first, so bad ones change nothing; then data files are
 * written, and the commit comes last through the table's transaction, so a write that fails at
 * any step leaves the table readable at its previous version.
 *
 * `opts` holds only the write's own options (`WriteOptions`); anything else is refused as a
 * typo, so a caller that carries its own keys (a Storage, a codec) strips them first.
 */
export async function writeTable(engine: Engine, data: WriteData, opts: WriteOptions = {}): Promise<WriteResult> {
  checkOptions('write', opts, WRITE_OPTIONS)
  const mode = opts.mode ?? 'error'
  if (opts.predicate !== undefined && mode !== 'overwrite') throw new DeltaError('InvalidArgument', "a predicate (replaceWhere) needs mode 'overwrite'")
  const current = await loadIfExists(engine)
  if (current) {
    if (mode === 'error') throw new DeltaError('InvalidArgument', `a table already exists at version ${current.version}: write with mode 'append' or 'overwrite'`)
    if (mode === 'ignore' || appTransactionsApplied(current, opts)) return skipped(current.version)
  }
  const txn = startTransaction(engine, current, { ...transactionOptions(opts), operation: current ? 'WRITE' : 'CREATE TABLE' })
  const batches = inputBatches(data, current?.schema)
  const first = await batches.next()
  const incoming = opts.schema ?? (first.done
    ? (data instanceof Table ? arrowSchemaToDelta(data.schema) : current?.schema)
    : arrowSchemaToDelta(first.value.schema))
  if (!incoming) throw new DeltaError('InvalidArgument', 'no data to create the table from: give at least one batch, or a schema with DeltaTable.create')
  const plan = planTable(current, incoming, opts)
  if (plan.metadata) txn.setMetadata(plan.metadata)
  if (plan.protocol) txn.setProtocol(plan.protocol)
  const predicate = opts.predicate !== undefined ? parseFilter(opts.predicate, plan.schema) : undefined
  const replacing = mode === 'overwrite' && current && predicate && readsData(current, predicate)
    ? await removeMatchingRows(engine, txn, current, predicate, plan.schema, opts)
    : undefined
  const removed = replacing ? replacing.changes.removed : mode === 'overwrite' && current ? overwrite(txn, current, predicate) : []
  // Where the removal wrote change data, the new rows are recorded as inserts beside it; else both are derived.
  const recordInserts = replacing !== undefined && replacing.changes.changeFiles.length > 0
  let staged: Staged
  try {
    staged = await stageFiles(engine, plan, first.done ? [] : [first.value], batches, predicate, opts, recordInserts)
  } catch (e) {
    await replacing?.rewriter.discard()
    throw e
  }
  if (replacing) staged.paths.push(...replacing.changes.paths)
  if (staged.schema !== plan.schema) txn.setMetadata({ ...(plan.metadata ?? current!.metadata), schemaString: JSON.stringify(staged.schema) })
  txn.addFiles(staged.adds).addChangeFiles(staged.changeFiles.map(changeFileOf))
    .withOperationParameters({ mode, partitionBy: JSON.stringify(plan.partitionColumns), ...(opts.predicate !== undefined && { predicate: opts.predicate }) })
    .withOperationMetrics({
      numFiles: staged.adds.length, numOutputRows: staged.rows, numOutputBytes: staged.adds.reduce((n, a) => n + a.size, 0),
      numAddedFiles: staged.adds.length, numRemovedFiles: removed.length,
    })
  try {
    const committed = await txn.commit()
    return { version: committed.version, skipped: false, filesAdded: staged.adds.length, filesRemoved: removed.length, rowsWritten: staged.rows, attempts: committed.attempts }
  } catch (e) {
    // Only a conflict, or a refusal before the commit was tried, proves it did not land; after
    // any other failure the files may be part of the table now, and orphans are vacuum's business.
    if (isDeltaError(e, 'CommitConflict') || !txn.commitAttempted) await discardFiles(engine, staged.paths)
    throw e
  }
}

/**
 * The files an overwrite replaces, handed to the transaction before any data is written (so an
 * append-only table refuses at once), with what the overwrite read for the conflict checks.
 */
function overwrite(txn: Transaction, current: Snapshot, predicate: Expr | undefined): AddAction[] {
  const removed = predicate ? current.files.filter((f) => fileMayMatch(current, f, predicate)) : current.files.toArray()
  txn.removeFiles(removed)
  txn.readFrom({ files: new Set(removed.map((f) => f.path)), mayHaveRead: predicate ? (a) => fileMayMatch(current, a, predicate) : () => true })
  return removed
}

/** Prepare every batch and write it as data files; on failure, delete what was written. */
async function stageFiles(
  engine: Engine, plan: TablePlan, head: RecordBatch[], rest: AsyncIterable<RecordBatch>, predicate: Expr | undefined, opts: WriteOptions,
  recordInserts = false,
): Promise<Staged> {
  const options: DataFileOptions = {
    schema: plan.schema, partitionColumns: plan.partitionColumns, columnMapping: plan.columnMapping,
    targetFileSize: opts.targetFileSize,
    writerProperties: { ...opts.writerProperties, compression: opts.writerProperties?.compression ?? opts.compression },
    ...statsSettings(plan.configuration),
  }
  const writer = new DataFileWriter(engine, options)
  const inserts = recordInserts ? new DataFileWriter(engine, { ...options, schema: withChangeColumn(plan.schema), changeData: true }) : undefined
  const written = () => [...writer.writtenPaths, ...(inserts?.writtenPaths ?? [])]
  const ctx: BatchContext = { schema: plan.schema, configuration: plan.configuration }
  let rows = 0
  try {
    const put = async (batch: RecordBatch) => {
      const prepared = prepareBatch(batch, ctx)
      if (predicate) checkMatchesPredicate(prepared, predicate, opts.predicate!)
      rows += prepared.numRows
      await writer.write(prepared)
      if (inserts && prepared.numRows > 0) await inserts.write(withChangeType(prepared, 'insert'))
    }
    for (const batch of head) await put(batch)
    for await (const batch of rest) await put(batch)
    const adds = await writer.finish()
    const changeFiles = inserts ? await inserts.finish() : []
    return { adds, changeFiles, rows, schema: ctx.schema, paths: written() }
  } catch (e) {
    await discardFiles(engine, written())
    throw e
  }
}

/**
 * The snapshot of an existing table, or undefined when there is none yet (no log, or a log with
 * no commits). A log that is there but cannot be read at its latest version is an error, never
 * "no table": writing a new version 0 into it would lose the table.
 */
export async function loadIfExists(engine: Engine): Promise<Snapshot | undefined> {
  try {
    return await loadSnapshot(engine)
  } catch (e) {
    if (isTableMissing(e)) return undefined
    throw e
  }
}

function appTransactionsApplied(current: Snapshot, opts: WriteOptions): boolean {
  const txns = opts.commitProperties?.appTransactions ?? []
  return txns.length > 0 && txns.every((t) => (current.txns.get(t.appId)?.version ?? -1) >= t.version)
}

function skipped(version: number): WriteResult {
  return { version, skipped: true, filesAdded: 0, filesRemoved: 0, rowsWritten: 0, attempts: 0 }
}

/**
 * Whether an overwrite's predicate reads data columns: then the files it reaches are read and
 * only their matching rows replaced; a predicate on partition columns alone replaces whole files
 * unread, since partition values prove every row of them matches.
 */
function readsData(snapshot: Snapshot, predicate: Expr): boolean {
  const partitionColumns = new Set(snapshot.metadata.partitionColumns.map((c) => c.toLowerCase()))
  return columnsOf(predicate).some((path) => !partitionColumns.has(path[0]!.toLowerCase()))
}

function checkMatchesPredicate(table: Table, predicate: Expr, text: string): void {
  const mask = evaluateFilter(predicate, table)
  const bad = mask.reduce((n, m) => n + (m ? 0 : 1), 0)
  if (bad > 0) throw new DeltaError('InvalidArgument', `${bad} row(s) of the data do not match the predicate '${text}': a replaceWhere write may only write rows it replaces`)
}

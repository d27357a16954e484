import { Table, type RecordBatch } from 'apache-arrow'
import type { Action, AddAction, RemoveAction, TxnAction } from '../model/actions.js'
import type { ReadSet } from '../txn/conflict.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError, isDeltaError } from '../engine/errors.js'
import { columnsOf, evaluateFilter, parseFilter, type Expr } from '../expr/index.js'
import { fileMayMatch } from '../scan/plan.js'
import { loadSnapshot, type Snapshot } from '../log/snapshot.js'
import { commitTransaction } from '../txn/commit.js'
import { DataFileWriter } from '../write/data-files.js'
import { checkAppendOnly, checkWriteSupported } from '../write/features/protocol-select.js'
import { inputBatches, type WriteData } from '../write/input.js'
import { arrowSchemaToDelta } from '../write/arrow-to-delta.js'
import { maintainLog } from '../txn/post-commit.js'
import { prepareBatch, type BatchContext } from '../write/prepare.js'
import { planTable, type TablePlan } from '../write/table-plan.js'
import type { WriteOptions } from '../write/write-options.js'
import { commitInfoAction, inCommitTimestampAfter, removeOf } from '../txn/commit-actions.js'

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

/**
 * Write data to a table: create it, append to it, or overwrite it (whole, or the rows matching
 * a predicate). Data files are written first; the commit comes last and is atomic, so a write
 * that fails at any step leaves the table readable at its previous version.
 */
export async function writeTable(engine: Engine, data: WriteData, opts: WriteOptions = {}): Promise<WriteResult> {
  const mode = opts.mode ?? 'error'
  const current = await loadIfExists(engine)
  if (current) {
    if (mode === 'error') throw new DeltaError('InvalidArgument', `a table already exists at version ${current.version}: write with mode 'append' or 'overwrite'`)
    if (mode === 'ignore' || appTransactionsApplied(current, opts)) return skipped(current.version)
    checkWriteSupported(current.protocol, current.metadata)
  }
  if (opts.predicate && mode !== 'overwrite') throw new DeltaError('InvalidArgument', "a predicate (replaceWhere) needs mode 'overwrite'")
  const batches = inputBatches(data, current?.schema)
  const first = await batches.next()
  const incoming = opts.schema ?? (first.done
    ? (data instanceof Table ? arrowSchemaToDelta(data.schema) : current?.schema)
    : arrowSchemaToDelta(first.value.schema))
  if (!incoming) throw new DeltaError('InvalidArgument', 'no data to create the table from: give at least one batch, or a schema with DeltaTable.create')
  const plan = planTable(current, incoming, opts)
  const predicate = opts.predicate ? parseFilter(opts.predicate, plan.schema) : undefined
  const writer = new DataFileWriter(engine, {
    schema: plan.schema, partitionColumns: plan.partitionColumns, columnMapping: plan.columnMapping,
    targetFileSize: opts.targetFileSize, compression: opts.compression, ...statsSettings(plan.configuration),
  })
  const ctx: BatchContext = { schema: plan.schema, configuration: plan.configuration }
  let rows = 0
  let adds: AddAction[]
  try {
    const put = async (batch: RecordBatch) => {
      const prepared = prepareBatch(batch, ctx)
      if (predicate) checkMatchesPredicate(prepared, predicate, opts.predicate!)
      rows += prepared.numRows
      await writer.write(prepared)
    }
    if (!first.done) await put(first.value)
    for await (const batch of batches) await put(batch)
    adds = await writer.finish()
  } catch (e) {
    await discard(engine, writer.writtenPaths)
    throw e
  }
  const finalPlan: TablePlan = ctx.schema === plan.schema ? plan : withSchema(plan, ctx, current)
  try {
    return await commitWrite(engine, current, finalPlan, adds, predicate, rows, opts)
  } catch (e) {
    // Only a conflict proves the commit did not land; after any other failure the files may
    // be part of the table now, and orphans are vacuum's business.
    if (isDeltaError(e, 'CommitConflict')) await discard(engine, writer.writtenPaths)
    throw e
  }
}

/** Best-effort removal of data files no commit will reference. */
async function discard(engine: Engine, paths: string[]): Promise<void> {
  await Promise.allSettled(paths.map((p) => engine.storage.delete(p)))
}

async function commitWrite(
  engine: Engine, current: Snapshot | undefined, plan: TablePlan,
  adds: AddAction[], predicate: Expr | undefined, rows: number, opts: WriteOptions,
): Promise<WriteResult> {
  const overwrite = current !== undefined && opts.mode === 'overwrite'
  const removed = overwrite ? current.files.filter((f) => !predicate || fileMayMatch(current, f, predicate)) : []
  if (predicate) checkWholeFiles(current!, removed, predicate, opts.predicate!)
  const removes: RemoveAction[] = removed.map((f) => removeOf(f))
  const txns: TxnAction[] = (opts.commitProperties?.appTransactions ?? []).map((t) => ({ kind: 'txn', appId: t.appId, version: t.version, lastUpdated: Date.now() }))
  const operation = current ? 'WRITE' : 'CREATE TABLE'
  const isBlindAppend = !overwrite && !plan.metadata
  const actions: Action[] = [
    commitInfoAction(operation, { mode: opts.mode ?? 'error', partitionBy: JSON.stringify(plan.partitionColumns), ...(opts.predicate && { predicate: opts.predicate }) }, current?.version, opts, isBlindAppend),
    ...(plan.protocol ? [plan.protocol] : []),
    ...(plan.metadata ? [plan.metadata] : []),
    ...txns, ...removes, ...adds,
  ]
  checkAppendOnly(plan.configuration, actions)
  const read: ReadSet = overwrite
    ? { files: new Set(removed.map((f) => f.path)), mayHaveRead: predicate ? (a) => fileMayMatch(current, a, predicate) : () => true }
    : { files: new Set() }
  const result = await commitTransaction(engine, current?.version ?? -1, {
    actions, read, isolation: opts.isolationLevel ?? 'WriteSerializable', isBlindAppend,
  }, { retryBudgetMs: opts.retryBudgetMs, inCommitTimestampAfter: inCommitTimestampAfter(plan.configuration, current) })
  await maintainLog(engine, result.version, plan.metadata ?? current!.metadata)
  return { version: result.version, skipped: false, filesAdded: adds.length, filesRemoved: removes.length, rowsWritten: rows, attempts: result.attempts }
}

/** The snapshot of an existing table, or undefined when there is none yet. */
export async function loadIfExists(engine: Engine): Promise<Snapshot | undefined> {
  try {
    return await loadSnapshot(engine)
  } catch (e) {
    if (isDeltaError(e, 'NotFound')) return undefined
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

function statsSettings(configuration: Record<string, string>): { numIndexedCols?: number; statsColumns?: string[] } {
  const n = configuration['delta.dataSkippingNumIndexedCols']
  const cols = configuration['delta.dataSkippingStatsColumns']
  return {
    numIndexedCols: n === undefined ? undefined : Number(n),
    statsColumns: cols === undefined ? undefined : cols.split(',').map((c) => c.trim()).filter(Boolean),
  }
}

/**
 * replaceWhere removes whole files: each file it removes must hold only rows the predicate
 * matches, which partition values prove. A predicate on data columns would need rewriting
 * files (a later operation), so it is refused rather than losing rows.
 */
function checkWholeFiles(snapshot: Snapshot, removed: AddAction[], predicate: Expr, text: string): void {
  const partitionColumns = new Set(snapshot.metadata.partitionColumns.map((c) => c.toLowerCase()))
  const usesData = columnsOf(predicate).some((path) => !partitionColumns.has(path[0]!.toLowerCase()))
  if (usesData && removed.length > 0) {
    throw new DeltaError('UnsupportedFeature', `replaceWhere '${text}' uses data columns; only predicates on partition columns are supported for now`)
  }
}

function checkMatchesPredicate(table: Table, predicate: Expr, text: string): void {
  const mask = evaluateFilter(predicate, table)
  const bad = mask.reduce((n, m) => n + (m ? 0 : 1), 0)
  if (bad > 0) throw new DeltaError('InvalidArgument', `${bad} row(s) of the data do not match the predicate '${text}': a replaceWhere write may only write rows it replaces`)
}

function withSchema(plan: TablePlan, ctx: BatchContext, current: Snapshot | undefined): TablePlan {
  const base = plan.metadata ?? current!.metadata
  return { ...plan, schema: ctx.schema, metadata: { ...base, schemaString: JSON.stringify(ctx.schema) } }
}

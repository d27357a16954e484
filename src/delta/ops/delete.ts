import { Table, vectorFromArray, Utf8 } from 'apache-arrow'
import type { Action, AddAction, CdcAction } from '../model/actions.js'
import { filterTable } from '../arrow/index.js'
import type { IsolationLevel } from '../txn/conflict.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import { evaluateFilter, parseFilter } from '../expr/index.js'
import { fileMayMatch, planScan } from '../scan/plan.js'
import { readDataFile } from '../scan/read.js'
import { loadSnapshot, type Snapshot } from '../log/snapshot.js'
import { commitTransaction } from '../txn/commit.js'
import { commitInfoAction, inCommitTimestampAfter, removeOf } from '../txn/commit-actions.js'
import { DataFileWriter } from '../write/data-files.js'
import { checkAppendOnly, checkWriteSupported } from '../write/features/protocol-select.js'
import { maintainLog } from '../txn/post-commit.js'

/** Options of a delete. */
export interface DeleteOptions {
  isolationLevel?: IsolationLevel
  retryBudgetMs?: number
}

/** What a delete did. */
export interface DeleteResult {
  version: number
  rowsDeleted: number
  filesRemoved: number
  filesAdded: number
}

/**
 * Delete the rows matching a predicate (all rows without one) by rewriting the files that hold
 * them (copy-on-write): files where every row matches are removed, files with some matching
 * rows are rewritten without them. With the change data feed on, the deleted rows also go to
 * `_change_data`. The smallest honest delete; deletion vectors and the rest of the DML come
 * later.
 */
export async function deleteRows(engine: Engine, predicate?: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
  const snapshot = await loadSnapshot(engine)
  checkWriteSupported(snapshot.protocol, snapshot.metadata)
  const expr = predicate ? parseFilter(predicate, snapshot.schema) : undefined
  const candidates = expr ? snapshot.files.filter((f) => fileMayMatch(snapshot, f, expr)) : snapshot.files
  const cdf = snapshot.metadata.configuration['delta.enableChangeDataFeed'] === 'true'
  const rewrite = new DataFileWriter(engine, writerOptions(snapshot))
  const changes = cdf ? new DataFileWriter(engine, { ...writerOptions(snapshot, true), changeData: true }) : undefined
  const removed: AddAction[] = []
  let rowsDeleted = 0
  for (const file of candidates) {
    const rows = await readWholeFile(engine, snapshot, file)
    const mask = expr ? evaluateFilter(expr, rows) : new Uint8Array(rows.numRows).fill(1)
    const hits = mask.reduce((n, m) => n + m, 0)
    if (hits === 0) continue
    removed.push(file)
    rowsDeleted += hits
    if (hits < rows.numRows) await rewrite.write(filterTable(rows, mask.map((m) => 1 - m)))
    if (changes) await changes.write(withChangeType(filterTable(rows, mask), 'delete'))
  }
  if (removed.length === 0) return { version: snapshot.version, rowsDeleted: 0, filesRemoved: 0, filesAdded: 0 }
  const adds = await rewrite.finish()
  const cdc: CdcAction[] = changes ? (await changes.finish()).map((a) => ({ kind: 'cdc', path: a.path, partitionValues: a.partitionValues, size: a.size, dataChange: false })) : []
  const actions: Action[] = [
    commitInfoAction('DELETE', { predicate: JSON.stringify(predicate ? [predicate] : []) }, snapshot.version, opts, false),
    ...removed.map((f) => removeOf(f)), ...adds, ...cdc,
  ]
  checkAppendOnly(snapshot.metadata.configuration, actions)
  const result = await commitTransaction(engine, snapshot.version, {
    actions,
    read: { files: new Set(candidates.map((f) => f.path)), mayHaveRead: (a) => !expr || fileMayMatch(snapshot, a, expr) },
    isolation: opts.isolationLevel ?? 'WriteSerializable',
    isBlindAppend: false,
  }, { retryBudgetMs: opts.retryBudgetMs, inCommitTimestampAfter: inCommitTimestampAfter(snapshot.metadata.configuration, snapshot) })
  await maintainLog(engine, result.version, snapshot.metadata)
  return { version: result.version, rowsDeleted, filesRemoved: removed.length, filesAdded: adds.length }
}

async function readWholeFile(engine: Engine, snapshot: Snapshot, file: AddAction): Promise<Table> {
  const plan = planScan({ ...snapshot, files: [file] })
  return new Table(await readDataFile(engine, snapshot, plan, file))
}

function writerOptions(snapshot: Snapshot, changeType = false) {
  const schema = changeType
    ? { type: 'struct' as const, fields: [...snapshot.schema.fields, { name: '_change_type', type: 'string' as const, nullable: false, metadata: {} }] }
    : snapshot.schema
  return { schema, partitionColumns: snapshot.metadata.partitionColumns, columnMapping: snapshot.columnMapping }
}

function withChangeType(rows: Table, type: string): Table {
  if (rows.numRows === 0) throw new DeltaError('Internal', 'no rows to record as changes')
  return rows.assign(new Table({ _change_type: vectorFromArray(new Array<string>(rows.numRows).fill(type), new Utf8()) }))
}

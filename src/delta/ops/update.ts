import { filterTable } from '../arrow/index.js'
import type { Engine } from '../engine/engine.js'
import { DeltaError } from '../engine/errors.js'
import { parseExpression } from '../expr/index.js'
import { withColumns } from '../write/features/table-columns.js'
import { loadSnapshot, type Snapshot } from '../log/snapshot.js'
import { transactionOptions, type DataWriteOptions } from '../txn/options.js'
import { startTransaction } from '../txn/transaction.js'
import { bindAssignment, evaluateAssignments, literalAssignments, type LiteralValue } from './assign.js'
import { checkOptions, checkPredicate, UPDATE_OPTIONS } from './check-options.js'
import { commitPredicateChanges, elapsedMs, filesToRead } from './commit-changes.js'
import { RowRewriter, withChangeType } from './row-changes.js'
import { parseRowPredicate } from './row-predicate.js'
import { enforceTableRules } from './row-rules.js'

/** Options of an update: which rows, literal values, and the commit's and files' options. */
export interface UpdateOptions extends DataWriteOptions {
  /** Only rows where this SQL condition is TRUE are updated; every row without one. */
  predicate?: string
  /** New values as plain JS values (literals), instead of or besides SQL expressions. */
  newValues?: Record<string, LiteralValue>
}

/** SQL expressions per column (`{ amount: 'amount + 1', status: "'closed'" }`), or `{ newValues }` of literals. */
export type UpdateValues = Record<string, string> | { newValues: Record<string, LiteralValue> }

/** What an update did, as delta-rs's update metrics in camelCase, and the version it committed. */
export interface UpdateResult {
  /** The version the update committed, or the table's version when no row matched (and it did not commit). */
  version: number
  /** Data files written: updated rows, and the untouched rows of rewritten files. */
  numAddedFiles: number
  /** Files removed: emptied, or rewritten. */
  numRemovedFiles: number
  numUpdatedRows: number
  /** Rows written again because their file was rewritten (copy-on-write). */
  numCopiedRows: number
  executionTimeMs: number
  scanTimeMs: number
  rewriteTimeMs: number
}

/**
 * Set columns of the rows matching a predicate (every row without one) to SQL expressions over
 * the row's current values, as Spark's and delta-rs's UPDATE: values are cast to the columns'
 * types by store assignment (see `bindAssignment`), generated columns are recomputed, NOT NULL,
 * invariants and CHECK constraints are checked on the new rows, identity columns cannot be set.
 * Files the predicate cannot match are not read. With deletion vectors in use the old rows are
 * marked deleted and the new ones written to new files; otherwise files holding matching rows
 * are rewritten. With the change data feed on, `update_preimage` and `update_postimage` rows
 * are recorded. Records commitInfo as Spark's `UPDATE`. `from` is the snapshot to change (see
 * `deleteRows`); the latest when omitted.
 */
export async function updateRows(engine: Engine, values: UpdateValues, opts: UpdateOptions = {}, from?: Snapshot): Promise<UpdateResult> {
  const start = performance.now()
  checkOptions('update', opts, UPDATE_OPTIONS)
  if (opts.predicate !== undefined) checkPredicate(opts.predicate, 'the update predicate')
  const updates = updateTexts(values, opts.newValues)
  const snapshot = from ?? await loadSnapshot(engine)
  const txn = startTransaction(engine, snapshot, { ...transactionOptions(opts), operation: 'UPDATE' }).assertRemovable()
  const schema = snapshot.schema
  const assignments = Object.entries(updates).map(([column, text]) => bindAssignment(column, text, schema, (t) => parseExpression(t, schema)))
  const twice = assignments.find((a, i) => assignments.findIndex((b) => b.field.name === a.field.name) !== i)
  if (twice) throw new DeltaError('InvalidArgument', `column '${twice.field.name}' is set twice`)
  const predicate = opts.predicate !== undefined ? parseRowPredicate(opts.predicate, schema) : undefined
  const skip = predicate?.skipping
  const candidates = filesToRead(snapshot, skip)
  const rewriter = new RowRewriter(engine, snapshot, opts)
  const changes = await rewriter.rewrite(candidates, (rows) => {
    const gone = predicate ? predicate.matches(rows) : new Uint8Array(rows.numRows).fill(1)
    if (!gone.includes(1)) return { gone }
    const before = filterTable(rows, gone)
    const after = enforceTableRules(withColumns(before, schema, evaluateAssignments(assignments, before)), schema, snapshot.metadata.configuration)
    const recorded = rewriter.changeDataFeed ? [withChangeType(before, 'update_preimage'), withChangeType(after, 'update_postimage')] : []
    return { gone, replacements: [after], changes: recorded }
  })
  const result = {
    numAddedFiles: changes.filesWritten, numRemovedFiles: changes.filesRemoved,
    numUpdatedRows: changes.rowsGone, numCopiedRows: changes.rowsCopied,
    scanTimeMs: changes.scanTimeMs, rewriteTimeMs: changes.rewriteTimeMs,
  }
  if (changes.rowsGone === 0) return { version: snapshot.version, ...result, executionTimeMs: elapsedMs(start) }
  const version = await commitPredicateChanges(txn, rewriter, changes, { snapshot, predicate: opts.predicate, candidates, skipping: skip }, result, start)
  return { version, ...result, executionTimeMs: elapsedMs(start) }
}

/** The SQL text of each column's new value, from expressions and `newValues` alike. */
function updateTexts(values: UpdateValues, newValues: Record<string, LiteralValue> | undefined): Record<string, string> {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    throw new DeltaError('InvalidArgument', `update takes an object of column: SQL expression (or { newValues }), got ${values === null ? 'null' : typeof values}`)
  }
  const literals = 'newValues' in values && typeof values.newValues === 'object' && values.newValues !== null
  const exprs: Record<string, unknown> = literals ? {} : values
  const out: Record<string, string> = {}
  for (const [column, text] of Object.entries(exprs)) {
    if (typeof text !== 'string') throw new DeltaError('InvalidArgument', `the new value of '${column}' must be a SQL expression string (use newValues for JS values), got ${typeof text}`)
    checkPredicate(text, `the new value of '${column}'`)
    out[column] = text
  }
  const given = { ...(literals ? (values.newValues as Record<string, LiteralValue>) : {}), ...newValues }
  for (const [column, text] of Object.entries(literalAssignments(given))) {
    if (column in out) throw new DeltaError('InvalidArgument', `column '${column}' is given both as an expression and in newValues`)
    out[column] = text
  }
  if (Object.keys(out).length === 0) throw new DeltaError('InvalidArgument', 'update needs at least one column to set')
  return out
}

import { Table, makeVector } from 'apache-arrow'
import { filterTable, nullData, takeRows, toArrowType } from '../../arrow/index.js'
import { conformTable } from '../../arrow/conform.js'
import type { Engine } from '../../engine/engine.js'
import { DeltaError } from '../../engine/errors.js'
import { evaluateCondition, type SqlExpr } from '../../expr/index.js'
import { loadSnapshot, type Snapshot } from '../../log/snapshot.js'
import type { StructType } from '../../model/schema.js'
import { fileMayMatch } from '../../scan/plan.js'
import { transactionOptions } from '../../txn/options.js'
import { startTransaction, type Transaction } from '../../txn/transaction.js'
import { arrowSchemaToDelta } from '../../write/arrow-to-delta.js'
import { withColumns } from '../../write/features/table-columns.js'
import { inputBatches, type WriteData } from '../../write/input.js'
import { prepareBatch, type BatchContext } from '../../write/prepare.js'
import { planTable } from '../../write/table-plan.js'
import { isComputedColumn } from '../../write/schema-merge.js'
import { bindAssignment, evaluateAssignments, type Assignment } from '../assign.js'
import { checkMergeSpec } from './check.js'
import { actionOf, groupOf, type ClauseGroup, type MergeClause, type MergeResult, type MergeSpec } from './clauses.js'
import { expandClause } from './expand.js'
import { equiJoinKeys, SourceIndex, targetSkipping } from './join.js'
import { MergeScope } from './scope.js'
import { commitRowChanges, deletionVectorMetrics, elapsedMs, filesToRead, sizeOf } from '../commit-changes.js'
import { RowRewriter, withChangeType, type FileDecision } from '../row-changes.js'
import { enforceTableRules } from '../row-rules.js'

/** A WHEN clause bound: its group, action, condition and assignments. */
interface BoundClause {
  clause: MergeClause
  group: ClauseGroup
  action: 'update' | 'delete' | 'insert'
  condition?: SqlExpr
  assignments: Assignment[]
}

/** Row counts of a merge. */
interface Counts {
  inserted: number
  matchedUpdated: number
  matchedDeleted: number
  bySourceUpdated: number
  bySourceDeleted: number
}

/**
 * Merge a source into the table, as Spark's and delta-rs's MERGE: each target row is joined with
 * the source rows the predicate matches; a matched row takes the first matched clause whose
 * condition holds (update or delete), a source row no target row matched the first insert
 * clause whose condition holds, a target row no source row matched the first not-matched-by-
 * source clause. A target row matched by two source rows (with matched clauses) is
 * `InvalidArgument`, never a silent pick. New and changed rows keep every table rule (see
 * `enforceTableRules`; inserts get identity values and generated columns as writes do).
 *
 * The source is read once and held; target files are read one at a time (a few ahead), and
 * without not-matched-by-source clauses only the files the source's join keys may match (by
 * partition values and stats) are read at all. Changes are written with deletion vectors or
 * copy-on-write (see `RowRewriter`), with all four kinds of change data when the table records
 * them. Records commitInfo as Spark's `MERGE`. `from` is the snapshot to change (see
 * `deleteRows`); the latest when omitted.
 */
export async function mergeRows(engine: Engine, source: WriteData, spec: MergeSpec, from?: Snapshot): Promise<MergeResult> {
  const start = performance.now()
  checkMergeSpec(spec)
  const { options } = spec
  const snapshot = from ?? await loadSnapshot(engine)
  const txn = startTransaction(engine, snapshot, { ...transactionOptions(options), operation: 'MERGE' })
  if (spec.clauses.some((c) => actionOf(c) !== 'insert')) txn.assertRemovable()
  const sourceRows = await readSource(source, snapshot.schema)
  const sourceSchema = arrowSchemaToDelta(sourceRows.schema)
  const targetSchema = evolvedSchema(txn, snapshot, sourceSchema, options.mergeSchema === true)
  const scope = new MergeScope(targetSchema, sourceSchema, options.targetAlias ?? 'target', options.sourceAlias ?? 'source')
  const predicate = condition(scope, options.predicate, 'join', 'the merge predicate')!
  const clauses = spec.clauses.map((c) => bindClause(expandClause(c, scope, options), scope, targetSchema))
  const keys = equiJoinKeys(predicate, scope)
  const index = new SourceIndex(keys, scope.table('join', { source: sourceRows }))
  const bySource = clauses.filter((c) => c.group === 'notMatchedBySource')
  const matched = clauses.filter((c) => c.group === 'matched')
  const skipping = bySource.length === 0 ? targetSkipping(keys, index, scope) : undefined
  const candidates = sourceRows.numRows === 0 && bySource.length === 0
    ? []
    : filesToRead(snapshot, skipping)
  const configuration = snapshot.metadata.configuration
  const rewriter = new RowRewriter(engine, snapshot, options, targetSchema)
  const sourceMatched = new Uint8Array(sourceRows.numRows)
  const counts: Counts = { inserted: 0, matchedUpdated: 0, matchedDeleted: 0, bySourceUpdated: 0, bySourceDeleted: 0 }
  const ctx: BatchContext = { schema: targetSchema, configuration }
  const inserts = clauses.filter((c) => c.group === 'notMatched')
  const changes = await rewriter.rewrite(candidates, (rows) => {
    const decision = new DecisionBuilder(rows, rewriter.changeDataFeed)
    const pairs = matchPairs(rows, sourceRows, scope, keys.target, index, predicate)
    pairs.s.forEach((s) => (sourceMatched[s] = 1))
    if (matched.length > 0) refuseRepeatedMatches(rows, pairs.t)
    const pairTable = scope.table('join', { target: takeRows(rows, pairs.t), source: takeRows(sourceRows, pairs.s) })
    applyClauses(matched, pairTable, pairs.t, decision, targetSchema, configuration, counts, 'matched')
    if (bySource.length > 0) {
      const hit = new Uint8Array(rows.numRows)
      pairs.t.forEach((t) => (hit[t] = 1))
      const lone = indicesWhere(hit, 0)
      applyClauses(bySource, scope.table('notMatchedBySource', { target: takeRows(rows, lone) }), lone, decision, targetSchema, configuration, counts, 'bySource')
    }
    return decision.build()
  }, { more: async () => {
    if (inserts.length === 0) return
    const lone = indicesWhere(sourceMatched, 0)
    const rows = scope.table('notMatched', { source: takeRows(sourceRows, lone) })
    for (const inserted of insertRows(inserts, rows, ctx)) {
      counts.inserted += inserted.numRows
      await rewriter.insert(inserted)
      if (rewriter.changeDataFeed) await rewriter.recordChanges(withChangeType(inserted, 'insert'))
    }
  } })
  if (ctx.schema !== targetSchema) txn.setMetadata({ ...txn.metadata!, schemaString: JSON.stringify(ctx.schema) })
  const updated = counts.matchedUpdated + counts.bySourceUpdated
  const deleted = counts.matchedDeleted + counts.bySourceDeleted
  const result = {
    numSourceRows: sourceRows.numRows,
    numTargetRowsInserted: counts.inserted,
    numTargetRowsUpdated: updated,
    numTargetRowsDeleted: deleted,
    numTargetRowsCopied: changes.rowsCopied,
    numOutputRows: counts.inserted + updated + changes.rowsCopied,
    numTargetFilesScanned: changes.filesScanned,
    numTargetFilesSkippedDuringScan: countFiles(snapshot) - candidates.length,
    numTargetFilesAdded: changes.filesWritten,
    numTargetFilesRemoved: changes.filesRemoved,
    scanTimeMs: changes.scanTimeMs,
    rewriteTimeMs: changes.rewriteTimeMs,
  }
  const changesSchema = txn.metadata !== snapshot.metadata
  if (changes.removed.length === 0 && changes.added.length === 0 && !changesSchema) {
    return { version: snapshot.version, ...result, executionTimeMs: elapsedMs(start) }
  }
  txn.withOperationParameters(operationParameters(spec))
    .withOperationMetrics({
      ...result,
      numTargetRowsMatchedUpdated: counts.matchedUpdated, numTargetRowsNotMatchedBySourceUpdated: counts.bySourceUpdated,
      numTargetRowsMatchedDeleted: counts.matchedDeleted, numTargetRowsNotMatchedBySourceDeleted: counts.bySourceDeleted,
      numTargetChangeFilesAdded: changes.changeFiles.length,
      ...(rewriter.deletionVectors && deletionVectorMetrics(changes, 'Target')),
      numTargetBytesAdded: sizeOf(changes.added), numTargetBytesRemoved: sizeOf(changes.removed),
      executionTimeMs: elapsedMs(start),
    })
  const version = await commitRowChanges(txn, rewriter, changes, {
    files: new Set(candidates.map((f) => f.path)),
    mayHaveRead: (a) => !skipping || fileMayMatch(snapshot, a, skipping),
  })
  return { version, ...result, executionTimeMs: elapsedMs(start) }
}

/** The source, read whole (it is held once), in canonical Arrow types; plain objects are typed by the table's schema. */
async function readSource(source: WriteData, tableSchema: StructType): Promise<Table> {
  const batches = []
  for await (const b of inputBatches(source, tableSchema)) batches.push(b)
  const table = batches.length > 0 ? new Table(batches) : source instanceof Table ? source : undefined
  if (!table) throw new DeltaError('InvalidArgument', 'the merge source is empty and has no schema: give an Arrow table (it may have no rows)')
  return conformTable(table, arrowSchemaToDelta(table.schema), { columnMapping: 'none' })
}

/** The table's schema during the merge: with the source's new columns added when `mergeSchema` asks, set on the transaction. */
function evolvedSchema(txn: Transaction, snapshot: Snapshot, source: StructType, mergeSchema: boolean): StructType {
  if (!mergeSchema) return snapshot.schema
  const plan = planTable(snapshot, source, { mode: 'append', schemaMode: 'merge' })
  if (plan.metadata) txn.setMetadata(plan.metadata)
  if (plan.protocol) txn.setProtocol(plan.protocol)
  return plan.schema
}

function condition(scope: MergeScope, text: string | undefined, group: ClauseGroup | 'join', label: string): SqlExpr | undefined {
  if (text === undefined) return undefined
  const e = scope.parse(text, group)
  if (e.type !== 'boolean') throw new DeltaError('InvalidArgument', `${label} '${text}' is not a condition`)
  return e
}

function bindClause(clause: MergeClause, scope: MergeScope, target: StructType): BoundClause {
  const group = groupOf(clause)
  const action = actionOf(clause)
  const updates = 'updates' in clause ? clause.updates : {}
  const bound = condition(scope, clause.predicate, group, `the ${clause.kind} condition`)
  const assignments = Object.entries(updates).map(([column, text]) =>
    bindAssignment(column, text, target, (t) => scope.parse(t, group), { allowIdentity: action === 'insert' }))
  return { clause, group, action, ...(bound ? { condition: bound } : {}), assignments }
}

/** The (target row, source row) pairs the merge predicate holds for, target rows in order. */
function matchPairs(
  rows: Table, source: Table, scope: MergeScope, targetKeys: readonly SqlExpr[], index: SourceIndex, predicate: SqlExpr,
): { t: Int32Array; s: Int32Array } {
  const { t, s } = index.candidates(targetKeys, scope.table('join', { target: rows }))
  if (t.length === 0) return { t, s }
  const holds = evaluateCondition(predicate, scope.table('join', { target: takeRows(rows, t), source: takeRows(source, s) }))
  const keep = holds.map((v) => (v === 2 ? 1 : 0))
  return { t: t.filter((_, i) => keep[i] === 1), s: s.filter((_, i) => keep[i] === 1) }
}

function refuseRepeatedMatches(rows: Table, targets: Int32Array): void {
  for (let i = 1; i < targets.length; i++) {
    if (targets[i] === targets[i - 1]) {
      throw new DeltaError('InvalidArgument', `multiple source rows matched the same target row (${JSON.stringify(rowOf(rows, targets[i]!))}); a merge may update or delete a target row once: deduplicate the source on the join keys`)
    }
  }
}

function rowOf(rows: Table, i: number): Record<string, unknown> {
  const row = rows.get(i)?.toJSON() ?? {}
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]))
}

/**
 * Give each row of `scoped` (rows of one clause group, each standing for the target row at
 * `targets[i]`) to the first clause whose condition holds, and record what it does.
 */
function applyClauses(
  clauses: readonly BoundClause[], scoped: Table, targets: Int32Array, decision: DecisionBuilder,
  schema: StructType, configuration: Record<string, string>, counts: Counts, kind: 'matched' | 'bySource',
): void {
  if (clauses.length === 0 || scoped.numRows === 0) return
  for (const { clause: c, mine, n } of firstClauses(clauses, scoped)) {
    const rows = targets.filter((_, i) => mine[i] === 1)
    if (c.action === 'delete') {
      decision.delete(rows)
      if (kind === 'matched') counts.matchedDeleted += n
      else counts.bySourceDeleted += n
      continue
    }
    const before = decision.targetRows(rows)
    const after = enforceTableRules(withColumns(before, schema, evaluateAssignments(c.assignments, filterTable(scoped, mine))), schema, configuration)
    decision.update(rows, before, after)
    if (kind === 'matched') counts.matchedUpdated += n
    else counts.bySourceUpdated += n
  }
}

/** Each clause with the rows it takes: those its condition holds for that no earlier clause took (none left out). */
function* firstClauses(clauses: readonly BoundClause[], scoped: Table): Generator<{ clause: BoundClause; mine: Uint8Array; n: number }> {
  const taken = new Uint8Array(scoped.numRows)
  for (const clause of clauses) {
    const holds = clause.condition ? evaluateCondition(clause.condition, scoped) : undefined
    const mine = new Uint8Array(scoped.numRows)
    let n = 0
    for (let i = 0; i < scoped.numRows; i++) {
      if (taken[i] || (holds && holds[i] !== 2)) continue
      taken[i] = 1
      mine[i] = 1
      n++
    }
    if (n > 0) yield { clause, mine, n }
  }
}

/** The rows inserted for source rows no target row matched: each takes the first insert clause whose condition holds. */
function* insertRows(clauses: readonly BoundClause[], scoped: Table, ctx: BatchContext): Generator<Table> {
  for (const { clause: c, mine } of firstClauses(clauses, scoped)) {
    const values = evaluateAssignments(c.assignments, filterTable(scoped, mine))
    const rows = withUnsetColumns(new Table(Object.fromEntries(values)), ctx.schema)
    for (const batch of rows.batches) yield prepareBatch(batch, ctx)
  }
}

/**
 * An insert's rows with the table's other columns added as NULLs (identity and generated columns
 * left for the writer to fill), so a NOT NULL column left unset is a constraint violation
 * naming it, not a schema difference.
 */
function withUnsetColumns(rows: Table, schema: StructType): Table {
  const missing = schema.fields.filter((f) => !isComputedColumn(f) && !rows.schema.fields.some((r) => r.name === f.name))
  if (missing.length === 0) return rows
  const nulls = new Map(missing.map((f) => [f.name, makeVector(nullData(toArrowType(f.type), rows.numRows))]))
  return withColumns(rows, schema, nulls)
}

/** What a merge decides for one target file's rows: which leave, what replaces them, what the change feed records. */
class DecisionBuilder {
  readonly #rows: Table
  readonly #gone: Uint8Array
  readonly #replacements: Table[] = []
  readonly #changes: Table[] = []
  readonly #cdf: boolean

  constructor(rows: Table, cdf: boolean) {
    this.#rows = rows
    this.#gone = new Uint8Array(rows.numRows)
    this.#cdf = cdf
  }

  targetRows(rows: Int32Array): Table {
    return takeRows(this.#rows, rows)
  }

  delete(rows: Int32Array): void {
    rows.forEach((r) => (this.#gone[r] = 1))
    if (this.#cdf) this.#changes.push(withChangeType(this.targetRows(rows), 'delete'))
  }

  update(rows: Int32Array, before: Table, after: Table): void {
    rows.forEach((r) => (this.#gone[r] = 1))
    this.#replacements.push(after)
    if (this.#cdf) this.#changes.push(withChangeType(before, 'update_preimage'), withChangeType(after, 'update_postimage'))
  }

  build(): FileDecision {
    return { gone: this.#gone, replacements: this.#replacements, changes: this.#changes }
  }
}

function indicesWhere(flags: Uint8Array, value: number): Int32Array {
  const out: number[] = []
  for (let i = 0; i < flags.length; i++) if (flags[i] === value) out.push(i)
  return Int32Array.from(out)
}

function countFiles(snapshot: Snapshot): number {
  return snapshot.files.length
}

/** Spark's MERGE operation parameters: the predicate, and each group's clauses with their conditions. */
function operationParameters(spec: MergeSpec): Record<string, string> {
  const of = (group: ClauseGroup) => JSON.stringify(spec.clauses.filter((c) => groupOf(c) === group)
    .map((c) => ({ ...(c.predicate !== undefined ? { predicate: c.predicate } : {}), actionType: actionOf(c) })))
  return {
    predicate: spec.options.predicate,
    matchedPredicates: of('matched'),
    notMatchedPredicates: of('notMatched'),
    notMatchedBySourcePredicates: of('notMatchedBySource'),
  }
}

import type { DataWriteOptions } from '../../txn/options.js'

/** Options of a merge: how source and target rows are joined, schema handling, and the commit's and files' options. */
export interface MergeOptions extends DataWriteOptions {
  /** The join condition, a SQL condition over both sides, such as `t.id = s.id`. */
  predicate: string
  /** The source's name in expressions. Default 'source'. */
  sourceAlias?: string
  /** The target's name in expressions. Default 'target'. */
  targetAlias?: string
  /**
   * Add the source's columns the table lacks to the table (nullable, at the end), as delta-rs's
   * `merge_schema`; `updateAll` and `insertAll` then set them too. Default false.
   */
  mergeSchema?: boolean
  /**
   * Refuse a source column whose type differs from the table column it is written into by
   * `updateAll`/`insertAll`, unless it widens losslessly (int into long, float into double...),
   * as delta-rs's `error_on_type_mismatch`. False casts by store assignment instead (an overflow
   * is still an error). Default true.
   */
  errorOnTypeMismatch?: boolean
}

/** A clause's own condition: it applies only to rows where this is TRUE. */
export interface ClauseOptions {
  predicate?: string
}

/** Options of `whenMatchedUpdateAll` and `whenNotMatchedInsertAll`. */
export interface AllColumnsOptions extends ClauseOptions {
  /** Columns left out (kept as they are on update; NULL or computed on insert). */
  except?: string[]
}

/** One WHEN clause of a merge, in the order given. */
export type MergeClause =
  | { kind: 'matchedUpdate'; updates: Record<string, string>; predicate?: string }
  | { kind: 'matchedUpdateAll'; except?: string[]; predicate?: string }
  | { kind: 'matchedDelete'; predicate?: string }
  | { kind: 'notMatchedInsert'; updates: Record<string, string>; predicate?: string }
  | { kind: 'notMatchedInsertAll'; except?: string[]; predicate?: string }
  | { kind: 'notMatchedBySourceUpdate'; updates: Record<string, string>; predicate?: string }
  | { kind: 'notMatchedBySourceDelete'; predicate?: string }

/** A merge as plain data: what `execute` runs (in this thread, or sent to a worker). */
export interface MergeSpec {
  options: MergeOptions
  clauses: MergeClause[]
}

/** Which rows a clause is about. */
export type ClauseGroup = 'matched' | 'notMatched' | 'notMatchedBySource'

/** The group of a clause. */
export function groupOf(clause: MergeClause): ClauseGroup {
  if (clause.kind.startsWith('matched')) return 'matched'
  return clause.kind.startsWith('notMatchedBySource') ? 'notMatchedBySource' : 'notMatched'
}

/** What a clause does to the rows it takes. */
export function actionOf(clause: MergeClause): 'update' | 'delete' | 'insert' {
  if (clause.kind.endsWith('Delete')) return 'delete'
  return clause.kind.startsWith('notMatchedInsert') ? 'insert' : 'update'
}

/** What a merge did, as delta-rs's merge metrics in camelCase, and the version it committed. */
export interface MergeResult {
  /** The version the merge committed, or the table's version when it changed nothing (and did not commit). */
  version: number
  numSourceRows: number
  numTargetRowsInserted: number
  numTargetRowsUpdated: number
  numTargetRowsDeleted: number
  /** Untouched target rows written again because their file was rewritten (copy-on-write). */
  numTargetRowsCopied: number
  /** Rows written to data files: inserted, updated and copied. */
  numOutputRows: number
  numTargetFilesScanned: number
  /** Target files not read because no source row could match them (by partition values and stats). */
  numTargetFilesSkippedDuringScan: number
  numTargetFilesAdded: number
  numTargetFilesRemoved: number
  executionTimeMs: number
  scanTimeMs: number
  rewriteTimeMs: number
}


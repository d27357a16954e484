import { DeltaError } from '../../engine/errors.js'
import { checkOptions, checkPredicate, MERGE_OPTIONS } from '../check-options.js'
import type { MergeClause, MergeSpec } from './clauses.js'

const KINDS = new Set<MergeClause['kind']>([
  'matchedUpdate', 'matchedUpdateAll', 'matchedDelete', 'notMatchedInsert', 'notMatchedInsertAll', 'notMatchedBySourceUpdate', 'notMatchedBySourceDelete',
])

/**
 * Refuse a merge that cannot run, with `InvalidArgument` naming what is wrong, before anything is
 * read: unknown or ill-typed options, no predicate, no clause, a clause whose values or condition
 * are not SQL text, an `except` that is not a list of names.
 */
export function checkMergeSpec(spec: MergeSpec): void {
  checkOptions('merge', spec.options, MERGE_OPTIONS)
  if (spec.options.predicate === undefined) throw new DeltaError('InvalidArgument', "a merge needs a predicate joining target and source rows, such as 't.id = s.id'")
  if (spec.clauses.length === 0) throw new DeltaError('InvalidArgument', 'a merge needs at least one when... clause before execute()')
  for (const c of spec.clauses) {
    if (!KINDS.has(c.kind)) throw new DeltaError('InvalidArgument', `unknown merge clause '${String(c.kind)}'`)
    if (c.predicate !== undefined) checkPredicate(c.predicate, `the ${c.kind} condition`)
    if ('updates' in c) {
      if (c.updates === null || typeof c.updates !== 'object' || Array.isArray(c.updates)) {
        throw new DeltaError('InvalidArgument', `${c.kind} takes an object of column: SQL expression`)
      }
      if (Object.keys(c.updates).length === 0) throw new DeltaError('InvalidArgument', `${c.kind} needs at least one column`)
      for (const [column, text] of Object.entries(c.updates)) {
        if (typeof text !== 'string') throw new DeltaError('InvalidArgument', `${c.kind}: the value of '${column}' must be a SQL expression string, got ${typeof text}`)
        checkPredicate(text, `${c.kind}: the value of '${column}'`)
      }
    }
    if ('except' in c && c.except !== undefined && (!Array.isArray(c.except) || !c.except.every((n) => typeof n === 'string'))) {
      throw new DeltaError('InvalidArgument', `${c.kind}: except must be an array of column names`)
    }
  }
}

import { DeltaError } from '../../engine/errors.js'
import { asDecimal, isIntegral } from '../../expr/sql/typing.js'
import type { DeltaType, StructField } from '../../model/schema.js'
import { GENERATION_EXPRESSION_KEY } from '../../write/features/generated.js'
import { isIdentityColumn } from '../../write/features/identity.js'
import type { MergeClause, MergeOptions } from './clauses.js'
import type { MergeScope } from './scope.js'

/**
 * `whenMatchedUpdateAll` and `whenNotMatchedInsertAll` as the explicit clauses they stand for, as
 * delta-rs builds them: every source column (but those in `except`) sets the table column of
 * its name. A source column the table lacks is `InvalidArgument` unless `mergeSchema` added it.
 * Generated columns are left to be computed, identity columns to keep (or, on insert, get) their
 * values. With `errorOnTypeMismatch` (the default) a source type that is not the column's, nor
 * widens into it losslessly, is `SchemaMismatch`. Other clauses come back as they are.
 */
export function expandClause(clause: MergeClause, scope: MergeScope, options: MergeOptions): MergeClause {
  if (clause.kind !== 'matchedUpdateAll' && clause.kind !== 'notMatchedInsertAll') return clause
  const except = new Set((clause.except ?? []).map((n) => n.toLowerCase()))
  for (const name of clause.except ?? []) {
    if (!scope.target.fields.some((f) => f.name.toLowerCase() === name.toLowerCase())) {
      throw new DeltaError('InvalidArgument', `${clause.kind}: except names '${name}', which the table does not have`)
    }
  }
  const updates: Record<string, string> = {}
  for (const s of scope.source.fields) {
    if (except.has(s.name.toLowerCase())) continue
    const t = scope.target.fields.find((f) => f.name.toLowerCase() === s.name.toLowerCase())
    if (!t) throw new DeltaError('InvalidArgument', `${clause.kind}: the source column '${s.name}' is not in the table; pass mergeSchema: true to add it, or leave it out with except`)
    if (t.metadata[GENERATION_EXPRESSION_KEY] !== undefined || isIdentityColumn(t)) continue
    const value = `${scope.qualified('source', '')}\`${s.name.replaceAll('`', '``')}\``
    if (options.errorOnTypeMismatch !== false) checkTypes(s, t)
    // Without the check, a value of another primitive type is cast as delta-rs casts it.
    const cast = !widens(s.type, t.type) && typeof t.type === 'string' && typeof s.type === 'string'
    updates[t.name] = cast ? `CAST(${value} AS ${t.type})` : value
  }
  if (Object.keys(updates).length === 0) throw new DeltaError('InvalidArgument', `${clause.kind}: the source has no column to set in the table`)
  const kind = clause.kind === 'matchedUpdateAll' ? 'matchedUpdate' : 'notMatchedInsert'
  return { kind, updates, ...(clause.predicate !== undefined ? { predicate: clause.predicate } : {}) }
}

function checkTypes(source: StructField, target: StructField): void {
  if (widens(source.type, target.type)) return
  throw new DeltaError('SchemaMismatch', `the source column '${source.name}' is ${describe(source.type)} but the table's is ${describe(target.type)}; cast it in the source, or pass errorOnTypeMismatch: false to store-assign it`)
}

const INTEGRAL_RANK: Record<string, number> = { byte: 1, short: 2, integer: 3, long: 4 }

/** Whether every value of `from` is a value of `to` (equal types included). */
function widens(from: DeltaType, to: DeltaType): boolean {
  if (JSON.stringify(from) === JSON.stringify(to)) return true
  if (typeof from !== 'string' || typeof to !== 'string') return false
  if (isIntegral(from) && isIntegral(to)) return INTEGRAL_RANK[from]! <= INTEGRAL_RANK[to]!
  if (to === 'double') return from === 'float' || (isIntegral(from) && from !== 'long')
  const a = asDecimal(from)
  const b = asDecimal(to)
  if (a && b) return b.scale >= a.scale && b.precision - b.scale >= a.precision - a.scale
  return from === 'date' && (to === 'timestamp' || to === 'timestamp_ntz')
}

function describe(t: DeltaType): string {
  return typeof t === 'string' ? t : t.type
}

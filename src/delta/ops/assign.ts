import { makeVector, type Table, type Vector } from 'apache-arrow'
import { plainRows, takeRows } from '../arrow/index.js'
import { DeltaError, isDeltaError } from '../engine/errors.js'
import { evaluateExpression, formatLiteral, type SqlExpr } from '../expr/index.js'
import { castExpr } from '../expr/sql/coerce.js'
import { isNumeric, typeText } from '../expr/sql/typing.js'
import type { Scalar } from '../model/scalar.js'
import { findField, type DeltaType, type StructField, type StructType } from '../model/schema.js'
import { resolveColumnChunks } from '../arrow/columns.js'
import { GENERATION_EXPRESSION_KEY } from '../write/features/generated.js'
import { isIdentityColumn } from '../write/features/identity.js'

/** One column's new value: the target column and the expression that computes it, typed as the column. */
export interface Assignment {
  readonly field: StructField
  readonly expr: SqlExpr
  /** The text as the caller gave it, for messages and the commit's parameters. */
  readonly text: string
}

/** A JS value `newValues` may hold: written as a SQL literal of that value. */
export type LiteralValue = string | number | bigint | boolean | Date | null

/**
 * Bind `column = text` for a write into `target`, the expression parsed by `parse` (against the
 * table's schema for an update; the aliased target and source for a merge). The value is cast
 * to the column's type as Spark's ANSI store assignment does: numbers to numbers (an overflow is
 * an error when evaluated), anything to a string, dates and timestamps among themselves; a string
 * literal converts to any type it spells (`'2024-01-01'` into a date). Anything else is
 * `InvalidArgument` naming the column. Generated columns (recomputed from the others) and
 * identity columns (which keep their values) are refused. Nested fields cannot be set.
 */
export function bindAssignment(
  column: string, text: string, target: StructType, parse: (text: string) => SqlExpr, opts: { allowIdentity?: boolean } = {},
): Assignment {
  const field = findField(target, column)
  if (!field) throw new DeltaError('InvalidArgument', `cannot set unknown column '${column}'; the table has columns: ${target.fields.map((f) => f.name).join(', ')}`)
  if (field.metadata[GENERATION_EXPRESSION_KEY] !== undefined) {
    throw new DeltaError('InvalidArgument', `column '${field.name}' is generated (${String(field.metadata[GENERATION_EXPRESSION_KEY])}); it is recomputed from the columns it reads and cannot be set`)
  }
  if (isIdentityColumn(field) && !opts.allowIdentity) throw new DeltaError('InvalidArgument', `column '${field.name}' is an identity column; its values cannot be updated`)
  const bound = parse(text)
  return { field, expr: storeAssign(bound, field, text), text }
}

/** `newValues` (plain JS values) as the SQL literal text of each. */
export function literalAssignments(values: Readonly<Record<string, LiteralValue>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [column, value] of Object.entries(values)) out[column] = literalText(value, column)
  return out
}

function literalText(value: LiteralValue, column: string): string {
  if (value === null) return 'NULL'
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new DeltaError('InvalidArgument', `newValues.${column} is an invalid Date`)
    return `'${value.toISOString()}'`
  }
  switch (typeof value) {
    case 'string': return formatLiteral(value, 'string')
    case 'boolean': return value ? 'TRUE' : 'FALSE'
    case 'bigint': return value.toString()
    case 'number':
      if (!Number.isFinite(value)) return `CAST('${value}' AS double)`
      return Number.isInteger(value) ? String(value) : value.toExponential()
    default: throw new DeltaError('InvalidArgument', `newValues.${column} must be a string, number, bigint, boolean, Date or null, got ${typeof value}`)
  }
}

function storeAssign(e: SqlExpr, field: StructField, text: string): SqlExpr {
  const fail = (message: string): never => {
    throw new DeltaError('InvalidArgument', `cannot set column '${field.name}' (${describe(field.type)}) to ${text}: ${message}`)
  }
  if (sameType(e.type, field.type)) return e
  if (typeof field.type !== 'string' || typeof e.type !== 'string') return fail(`the value is ${describe(e.type)}`)
  if (e.kind !== 'literal' && !canStoreAssign(e.type, field.type)) return fail(`a ${typeText(e.type)} value is not stored into a ${typeText(field.type)} column (CAST it explicitly)`)
  return castExpr(e, field.type, fail)
}

const TEMPORAL = new Set<DeltaType>(['date', 'timestamp', 'timestamp_ntz'])

/** Spark's ANSI store assignment rule between primitive types. */
function canStoreAssign(from: DeltaType, to: DeltaType): boolean {
  if (from === to || to === 'string') return true
  if (isNumeric(from) && isNumeric(to)) return true
  return TEMPORAL.has(from) && TEMPORAL.has(to)
}

function sameType(a: DeltaType, b: DeltaType): boolean {
  return a === b || (typeof a !== 'string' && typeof b !== 'string' && JSON.stringify(a) === JSON.stringify(b))
}

function describe(t: DeltaType): string {
  return typeof t === 'string' ? t : t.type
}

/**
 * The new value of each assignment for every row of `rows` (the scope the expressions were bound
 * against), keyed by column name. A column copied as it is (a bare column reference of the same
 * type, as a merge's `updateAll` gives) is taken whole, nested types included; others are
 * evaluated. A value that fails (an overflow, an impossible cast, a division by zero) is
 * `InvalidData` naming the column and the first row where it fails, with that row's values.
 */
export function evaluateAssignments(assignments: readonly Assignment[], rows: Table): Map<string, Vector> {
  const out = new Map<string, Vector>()
  for (const a of assignments) out.set(a.field.name, evaluateAssignment(a, rows))
  return out
}

function evaluateAssignment(a: Assignment, rows: Table): Vector {
  if (a.expr.kind === 'column' && sameType(a.expr.type, a.field.type)) return columnVector(rows, a.expr.path)
  try {
    return evaluateExpression(a.expr, rows)
  } catch (e) {
    if (!isDeltaError(e, 'InvalidData')) throw e
    const bad = firstFailingRow(a.expr, rows)
    const where = bad === undefined ? '' : ` at row ${bad + 1} of the rows it changes (${describeRow(rows, bad)})`
    throw new DeltaError('InvalidData', `cannot set column '${a.field.name}' to ${a.text}${where}: ${e.message}`)
  }
}

/** A column of `rows` at `path` (into structs), as one vector. */
function columnVector(rows: Table, path: readonly string[]): Vector {
  if (path.length === 1) {
    const v = rows.getChild(path[0]!)
    if (v) return v
  }
  // The merge's target and source structs have no nulls of their own, so a field's data is the column.
  return makeVector(resolveColumnChunks(rows, path).map((c) => c.data))
}

/** Found by bisection: evaluation is all-or-nothing, so halves are tried until one row is left. */
function firstFailingRow(expr: SqlExpr, rows: Table): number | undefined {
  const fails = (from: number, to: number) => {
    try {
      evaluateExpression(expr, rows.slice(from, to))
      return false
    } catch {
      return true
    }
  }
  let lo = 0
  let hi = rows.numRows
  if (!fails(lo, hi)) return undefined
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2)
    if (fails(lo, mid)) hi = mid
    else lo = mid
  }
  return lo
}

function describeRow(rows: Table, i: number): string {
  const [row] = [...plainRows(takeRows(rows, Int32Array.of(i)))]
  return JSON.stringify(row, (_k, v: Scalar | unknown) => (typeof v === 'bigint' ? v.toString() : v))
}

import type { Table, Vector } from 'apache-arrow'
import { DeltaError } from '../../engine/errors.js'
import type { Scalar } from '../../model/scalar.js'
import { resolveColumnChunks } from '../../arrow/columns.js'
import { vectorFromScalars } from '../../arrow/build-vector.js'
import { compareValues } from '../../values/compare.js'
import { makeValueReader } from '../../arrow/readers.js'
import { likeTri, triOfCompare, type Tri } from '../filter/scalar-eval.js'
import { applyArith, applyNegate } from './arith.js'
import { castScalar } from './cast.js'
import { applyFunction } from './functions.js'
import type { SqlCase, SqlCompare, SqlExpr, SqlIn } from './types.js'
import type { ColumnExpr } from '../filter/types.js'

/** One value per row, in the JS form of the node's type (see `Scalar`); null is SQL NULL. */
export type RowValues = Array<Scalar | null>

/**
 * The rows a node is computed for: all of the table, or (inside CASE, AND, OR and coalesce,
 * which compute an operand only where it decides the result, as Spark does) a subset of them.
 */
interface Context {
  readonly table: Table
  /** How many rows this context computes. */
  readonly rows: number
  /** The table row of each of them; undefined for all rows in order. */
  readonly selection: readonly number[] | undefined
  /** Whole-table columns read so far, shared by every subset. */
  readonly columns: Map<string, RowValues>
}

/** The context of some of `ctx`'s rows (`at` are positions in `ctx`). */
function restrict(ctx: Context, at: readonly number[]): Context {
  if (at.length === ctx.rows) return ctx
  const selection = ctx.selection ? at.map((i) => ctx.selection![i]!) : at
  return { table: ctx.table, rows: at.length, selection, columns: ctx.columns }
}

/** Values for some rows, placed into `out` at their positions `at`. */
function scatter(out: RowValues, at: readonly number[], values: RowValues): void {
  for (let k = 0; k < at.length; k++) out[at[k]!] = values[k]!
}

function allRows(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

/**
 * The value of `expr` for every row of `table` (columns by LOGICAL name, as the expression was
 * bound), with SQL NULL propagation. Work is row by row over plain values: expressions run on
 * data being written, once per batch, where exactness matters more than speed.
 */
export function evaluateSqlValues(expr: SqlExpr, table: Table): RowValues {
  return evaluate(expr, { table, rows: table.numRows, selection: undefined, columns: new Map() })
}

/**
 * Evaluate a SQL expression (see `parseExpression`) over an Arrow table to a vector of its result
 * type, in the canonical Arrow type of that Delta type. Arithmetic overflow, division by zero and
 * impossible casts are `InvalidData` errors.
 */
export function evaluateExpression(expr: SqlExpr, table: Table): Vector {
  if (typeof expr.type !== 'string') {
    throw new DeltaError('UnsupportedFeature', 'expressions of struct, array or map type cannot be evaluated; use one of their fields')
  }
  return vectorFromScalars(evaluateSqlValues(expr, table), expr.type)
}

/** The truth value (see `Tri`: 0 FALSE, 1 NULL, 2 TRUE) of a boolean expression for every row. */
export function evaluateCondition(expr: SqlExpr, table: Table): Uint8Array {
  if (expr.type !== 'boolean') throw new DeltaError('InvalidArgument', `the expression is ${JSON.stringify(expr.type)}, not a condition`)
  const values = evaluateSqlValues(expr, table)
  return Uint8Array.from(values, (v) => (v === null ? 1 : v === true ? 2 : 0))
}

/** The rows of `ctx` out of a whole-table column. */
function select<T>(ctx: Context, whole: T[]): T[] {
  return ctx.selection ? ctx.selection.map((i) => whole[i]!) : whole
}

function readColumn(ctx: Context, column: ColumnExpr): RowValues {
  const key = JSON.stringify(column.path)
  const cached = ctx.columns.get(key)
  if (cached) return select(ctx, cached)
  if (typeof column.type !== 'string') {
    throw new DeltaError('UnsupportedFeature', `column '${column.path.join('.')}' is a ${column.type.type}; expressions can only test it with IS NULL`)
  }
  const out: RowValues = new Array(ctx.table.numRows)
  let at = 0
  for (const chunk of resolveColumnChunks(ctx.table, column.path)) {
    const read = makeValueReader(chunk, column.type)
    for (let i = 0; i < chunk.length; i++) out[at++] = read(i)
  }
  ctx.columns.set(key, out)
  return select(ctx, out)
}

/** Null flags of a column of any type (a struct, list or map included). */
function columnNulls(ctx: Context, column: ColumnExpr): boolean[] {
  const out: boolean[] = []
  for (const chunk of resolveColumnChunks(ctx.table, column.path)) {
    for (let i = 0; i < chunk.length; i++) out.push(chunk.nulls !== null && chunk.nulls[i] === 1)
  }
  return select(ctx, out)
}

/** Apply `f` to each row where every input is non-null; NULL elsewhere. */
function mapRows(rows: number, inputs: RowValues[], f: (i: number) => Scalar | null): RowValues {
  const out: RowValues = new Array(rows)
  for (let i = 0; i < rows; i++) out[i] = inputs.some((v) => v[i] === null) ? null : f(i)
  return out
}

function evaluate(expr: SqlExpr, ctx: Context): RowValues {
  switch (expr.kind) {
    case 'column': return readColumn(ctx, expr)
    case 'literal': return new Array<Scalar | null>(ctx.rows).fill(expr.value)
    case 'arith': {
      const [l, r] = [evaluate(expr.left, ctx), evaluate(expr.right, ctx)]
      return mapRows(ctx.rows, [l, r], (i) => applyArith(expr.op, l[i]!, expr.left.type, r[i]!, expr.right.type, expr.type))
    }
    case 'negate': {
      const v = evaluate(expr.arg, ctx)
      return mapRows(ctx.rows, [v], (i) => applyNegate(v[i]!, expr.type))
    }
    case 'cast': {
      const v = evaluate(expr.arg, ctx)
      return mapRows(ctx.rows, [v], (i) => castScalar(v[i]!, expr.arg.type, expr.type))
    }
    case 'call': {
      if (expr.name === 'coalesce') return evaluateFirstNonNull(expr.args, ctx)
      const args = expr.args.map((a) => evaluate(a, ctx))
      const types = expr.args.map((a) => a.type)
      return Array.from({ length: ctx.rows }, (_, i) => applyFunction(expr.name, args.map((a) => a[i] ?? null), types, expr.type))
    }
    case 'compare': return evaluateCompare(expr, ctx)
    case 'and':
    case 'or': return evaluateJunction(expr.kind, expr.args, ctx)
    case 'not': return evaluate(expr.arg, ctx).map((v) => (v === null ? null : !v))
    case 'isNull':
      if (expr.arg.kind === 'column' && typeof expr.arg.type !== 'string') return columnNulls(ctx, expr.arg)
      return evaluate(expr.arg, ctx).map((v) => v === null)
    case 'in': return evaluateIn(expr, ctx)
    case 'like': return evaluate(expr.arg, ctx).map((v) => fromTri(likeTri(v, expr.pattern)))
    case 'case': return evaluateCase(expr, ctx)
  }
}

/** Each row takes the value of the first branch whose condition is TRUE; each value is computed only for its rows. */
function evaluateCase(expr: SqlCase, ctx: Context): RowValues {
  const out: RowValues = new Array<Scalar | null>(ctx.rows).fill(null)
  let pending = allRows(ctx.rows)
  for (const branch of expr.branches) {
    if (pending.length === 0) return out
    const conditions = evaluate(branch.when, restrict(ctx, pending))
    const taken = pending.filter((_, k) => conditions[k] === true)
    if (taken.length > 0) scatter(out, taken, evaluate(branch.value, restrict(ctx, taken)))
    pending = pending.filter((_, k) => conditions[k] !== true)
  }
  if (pending.length > 0) scatter(out, pending, evaluate(expr.otherwise, restrict(ctx, pending)))
  return out
}

/** coalesce: each argument computed only for the rows still NULL after the ones before it. */
function evaluateFirstNonNull(args: readonly SqlExpr[], ctx: Context): RowValues {
  const out: RowValues = new Array<Scalar | null>(ctx.rows).fill(null)
  let pending = allRows(ctx.rows)
  for (const arg of args) {
    if (pending.length === 0) break
    const values = evaluate(arg, restrict(ctx, pending))
    scatter(out, pending, values)
    pending = pending.filter((_, k) => values[k] === null)
  }
  return out
}

function fromTri(t: Tri): boolean | null {
  return t === 1 ? null : t === 2
}

function evaluateCompare(expr: SqlCompare, ctx: Context): RowValues {
  const l = evaluate(expr.left, ctx)
  const r = evaluate(expr.right, ctx)
  const [lt, rt] = [expr.left.type, expr.right.type]
  if (expr.op === '<=>') {
    return l.map((a, i) => {
      const b = r[i] ?? null
      if (a === null || b === null) return a === b
      return compareValues(a, lt, b, rt) === 0
    })
  }
  const op = expr.op
  return mapRows(ctx.rows, [l, r], (i) => fromTri(triOfCompare(op, compareValues(l[i]!, lt, r[i]!, rt))))
}

/**
 * AND is FALSE if any is FALSE, else NULL if any is NULL; OR the dual. An operand is computed
 * only for the rows the ones before it left undecided (`d <> 0 AND n / d > 1` never divides by
 * zero), as Spark evaluates them.
 */
function evaluateJunction(kind: 'and' | 'or', args: readonly SqlExpr[], ctx: Context): RowValues {
  const decisive = kind === 'or'
  const out: RowValues = new Array<Scalar | null>(ctx.rows).fill(!decisive)
  let pending = allRows(ctx.rows)
  for (const arg of args) {
    if (pending.length === 0) break
    const v = evaluate(arg, restrict(ctx, pending))
    for (let k = 0; k < pending.length; k++) {
      const i = pending[k]!
      if (v[k] === decisive) out[i] = decisive
      else if (v[k] === null) out[i] = null
    }
    pending = pending.filter((i) => out[i] !== decisive)
  }
  return out
}

function evaluateIn(expr: SqlIn, ctx: Context): RowValues {
  const arg = evaluate(expr.arg, ctx)
  const values = expr.values.map((v) => ({ values: evaluate(v, ctx), type: v.type }))
  return arg.map((a, i) => {
    if (values.length === 0) return false
    if (a === null) return null
    let sawNull = false
    for (const v of values) {
      const b = v.values[i] ?? null
      if (b === null) sawNull = true
      else if (compareValues(a, expr.arg.type, b, v.type) === 0) return true
    }
    return sawNull ? null : false
  })
}

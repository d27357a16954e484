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
import type { SqlCompare, SqlExpr, SqlIn } from './types.js'
import type { ColumnExpr } from '../filter/types.js'

/** One value per row, in the JS form of the node's type (see `Scalar`); null is SQL NULL. */
export type RowValues = Array<Scalar | null>

interface Context {
  readonly table: Table
  readonly rows: number
  readonly columns: Map<string, RowValues>
}

/**
 * The value of `expr` for every row of `table` (columns by LOGICAL name, as the expression was
 * bound), with SQL NULL propagation. Work is row by row over plain values: expressions run on
 * data being written, once per batch, where exactness matters more than speed.
 */
export function evaluateSqlValues(expr: SqlExpr, table: Table): RowValues {
  return evaluate(expr, { table, rows: table.numRows, columns: new Map() })
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

function readColumn(ctx: Context, column: ColumnExpr): RowValues {
  const key = JSON.stringify(column.path)
  const cached = ctx.columns.get(key)
  if (cached) return cached
  if (typeof column.type !== 'string') {
    throw new DeltaError('UnsupportedFeature', `column '${column.path.join('.')}' is a ${column.type.type}; expressions can only test it with IS NULL`)
  }
  const out: RowValues = new Array(ctx.rows)
  let at = 0
  for (const chunk of resolveColumnChunks(ctx.table, column.path)) {
    const read = makeValueReader(chunk, column.type)
    for (let i = 0; i < chunk.length; i++) out[at++] = read(i)
  }
  ctx.columns.set(key, out)
  return out
}

/** Null flags of a column of any type (a struct, list or map included). */
function columnNulls(ctx: Context, column: ColumnExpr): boolean[] {
  const out: boolean[] = []
  for (const chunk of resolveColumnChunks(ctx.table, column.path)) {
    for (let i = 0; i < chunk.length; i++) out.push(chunk.nulls !== null && chunk.nulls[i] === 1)
  }
  return out
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
      const args = expr.args.map((a) => evaluate(a, ctx))
      const types = expr.args.map((a) => a.type)
      return Array.from({ length: ctx.rows }, (_, i) => applyFunction(expr.name, args.map((a) => a[i] ?? null), types))
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
  }
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

/** AND is FALSE if any is FALSE, else NULL if any is NULL; OR the dual. */
function evaluateJunction(kind: 'and' | 'or', args: readonly SqlExpr[], ctx: Context): RowValues {
  const decisive = kind === 'or'
  const out: RowValues = new Array<Scalar | null>(ctx.rows).fill(!decisive)
  for (const arg of args) {
    const v = evaluate(arg, ctx)
    for (let i = 0; i < out.length; i++) {
      if (out[i] === decisive) continue
      if (v[i] === decisive) out[i] = decisive
      else if (v[i] === null) out[i] = null
    }
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

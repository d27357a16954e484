import { Type, type Table } from 'apache-arrow'
import { DeltaError } from '../../engine/errors.js'
import type { Scalar } from '../../model/scalar.js'
import type { DeltaType } from '../../model/schema.js'
import { resolveColumnChunks, type LeafChunk } from '../../arrow/columns.js'
import { compareInto, inSetInto } from './kernels.js'
import { dictionaryValues, makeValueReader, type ValueReader } from '../../arrow/readers.js'
import { compareTri, evaluateOnValues, OP_TABLE, type Tri } from './scalar-eval.js'
import { flipOp, type ColumnExpr, type CompareExpr, type CompareOp, type Expr, type InExpr, type LiteralExpr } from './types.js'

// Truth values (see `Tri`) as module constants: hot loops read them without indirection.
const FALSE: Tri = 0
const UNKNOWN: Tri = 1
const TRUE: Tri = 2

/** Per-evaluation state: the table, its row count, and resolved columns by path. */
interface Context {
  table: Table
  rows: number
  columns: Map<string, LeafChunk[]>
}

/**
 * Evaluate a filter over an Arrow table whose columns follow the LOGICAL schema: one byte per
 * row, 1 where the filter is SQL TRUE, 0 where it is FALSE or NULL (SQL drops both). Comparisons
 * of a column with a literal run as tight loops over the Arrow buffers; dictionary columns are
 * evaluated once per dictionary entry.
 */
export function evaluateFilter(expr: Expr, table: Table): Uint8Array {
  const ctx: Context = { table, rows: table.numRows, columns: new Map() }
  const tri = evaluateNode(expr, ctx)
  const out = new Uint8Array(ctx.rows)
  for (let i = 0; i < out.length; i++) out[i] = tri[i] === TRUE ? 1 : 0
  return out
}

function chunksOf(ctx: Context, column: ColumnExpr): LeafChunk[] {
  const key = JSON.stringify(column.path)
  let chunks = ctx.columns.get(key)
  if (!chunks) {
    chunks = resolveColumnChunks(ctx.table, column.path)
    ctx.columns.set(key, chunks)
  }
  return chunks
}

function usesColumns(expr: Expr): boolean {
  switch (expr.kind) {
    case 'literal': return false
    case 'compare': return expr.left.kind === 'column' || expr.right.kind === 'column'
    case 'and':
    case 'or': return expr.args.some(usesColumns)
    case 'not': return usesColumns(expr.arg)
    default: return expr.arg.kind === 'column'
  }
}

function noColumn(): never {
  throw new DeltaError('Internal', 'a constant expression read a column')
}

/** The truth value (see `Tri`) of `expr` for every row. */
function evaluateNode(expr: Expr, ctx: Context): Uint8Array {
  if (!usesColumns(expr)) return new Uint8Array(ctx.rows).fill(evaluateOnValues(expr, noColumn))
  switch (expr.kind) {
    case 'and':
    case 'or': return evaluateJunction(expr.kind, expr.args, ctx)
    case 'not': {
      const v = evaluateNode(expr.arg, ctx)
      for (let i = 0; i < v.length; i++) v[i] = 2 - v[i]!
      return v
    }
    case 'compare': return evaluateCompare(expr, ctx)
    case 'isNull': return evaluateIsNull(expr.arg as ColumnExpr, ctx)
    case 'in': return evaluateIn(expr, ctx)
    case 'like': return evaluatePerValue(expr.arg as ColumnExpr, ctx, (v) => evaluateOnValues(expr, () => v))
    case 'literal': return noColumn()
  }
}

/** AND is the row-wise minimum, OR the maximum; stop early once every row is decided. */
function evaluateJunction(kind: 'and' | 'or', args: readonly Expr[], ctx: Context): Uint8Array {
  const isAnd = kind === 'and'
  const decided = isAnd ? FALSE : TRUE
  const acc = evaluateNode(args[0]!, ctx)
  for (const arg of args.slice(1)) {
    if (allEqual(acc, decided)) break
    const next = evaluateNode(arg, ctx)
    if (isAnd) for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! < next[i]! ? acc[i]! : next[i]!
    else for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! > next[i]! ? acc[i]! : next[i]!
  }
  return acc
}

function allEqual(values: Uint8Array, v: number): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== v) return false
  return true
}

function evaluateIsNull(column: ColumnExpr, ctx: Context): Uint8Array {
  const out = new Uint8Array(ctx.rows)
  let start = 0
  for (const chunk of chunksOf(ctx, column)) {
    if (chunk.nulls) for (let i = 0; i < chunk.length; i++) out[start + i] = chunk.nulls[i] ? TRUE : FALSE
    start += chunk.length
  }
  return out
}

/**
 * Evaluate a predicate on one column row by row, `tri(value)` giving each row's truth value;
 * a dictionary chunk is evaluated once per entry and then gathered by index.
 */
function evaluatePerValue(column: ColumnExpr, ctx: Context, tri: (v: Scalar | null) => Tri): Uint8Array {
  const out = new Uint8Array(ctx.rows)
  let start = 0
  for (const chunk of chunksOf(ctx, column)) {
    evaluateChunkPerValue(chunk, column.type, tri, out, start)
    start += chunk.length
  }
  return out
}

function evaluateChunkPerValue(chunk: LeafChunk, type: DeltaType, tri: (v: Scalar | null) => Tri, out: Uint8Array, start: number): void {
  if (chunk.data.typeId === Type.Dictionary && chunk.data.dictionary) {
    const perEntry = dictionaryValues(chunk.data.dictionary, type).map(tri)
    const indices = chunk.data.values as ArrayLike<number | bigint>
    const nullTri = tri(null)
    for (let i = 0; i < chunk.length; i++) {
      out[start + i] = chunk.nulls?.[i] ? nullTri : perEntry[Number(indices[i])] ?? nullTri
    }
    return
  }
  const read = makeValueReader(chunk, type)
  for (let i = 0; i < chunk.length; i++) out[start + i] = tri(read(i))
}

function evaluateCompare(expr: CompareExpr, ctx: Context): Uint8Array {
  const { left, right, op } = expr
  if (left.kind === 'column' && right.kind === 'literal') return compareColumnToLiteral(left, op, right, ctx)
  if (left.kind === 'literal' && right.kind === 'column') return compareColumnToLiteral(right, flipOp(op), left, ctx)
  const a = globalReader(chunksOf(ctx, left as ColumnExpr), left.type)
  const b = globalReader(chunksOf(ctx, right as ColumnExpr), right.type)
  const out = new Uint8Array(ctx.rows)
  for (let i = 0; i < out.length; i++) out[i] = compareTri(op, a(i), left.type, b(i), right.type)
  return out
}

function compareColumnToLiteral(column: ColumnExpr, op: CompareOp, literal: LiteralExpr, ctx: Context): Uint8Array {
  const out = new Uint8Array(ctx.rows)
  const value = literal.value
  if (value === null) return out.fill(UNKNOWN)
  const table = OP_TABLE[op]
  const slow = (v: Scalar | null): Tri => compareTri(op, v, column.type, value, literal.type)
  let start = 0
  for (const chunk of chunksOf(ctx, column)) {
    if (literal.type === column.type && compareInto(chunk.data, column.type, value, table, out, start)) {
      const nulls = chunk.nulls
      if (nulls) for (let i = 0; i < chunk.length; i++) if (nulls[i]) out[start + i] = UNKNOWN
    } else {
      evaluateChunkPerValue(chunk, column.type, slow, out, start)
    }
    start += chunk.length
  }
  return out
}

/** `IN`: a set lookup when every value has the column's type, straight from the buffers when possible. */
function evaluateIn(expr: InExpr, ctx: Context): Uint8Array {
  const column = expr.arg as ColumnExpr
  if (expr.values.length === 0) return new Uint8Array(ctx.rows).fill(FALSE)
  if (!expr.values.every((v) => v.type === column.type)) return evaluatePerValue(column, ctx, (v) => evaluateOnValues(expr, () => v))
  const keys = new Set(expr.values.filter((v) => v.value !== null).map((v) => keyOf(v.value!)))
  const miss: Tri = expr.values.some((v) => v.value === null) ? UNKNOWN : FALSE
  const out = new Uint8Array(ctx.rows)
  let start = 0
  for (const chunk of chunksOf(ctx, column)) {
    if (inSetInto(chunk.data, keys, TRUE, miss, out, start)) {
      if (chunk.nulls) for (let i = 0; i < chunk.length; i++) if (chunk.nulls[i]) out[start + i] = UNKNOWN
    } else {
      // A Set compares with SameValueZero: NaN matches NaN and -0 matches 0, as Spark compares floats.
      evaluateChunkPerValue(chunk, column.type, (v) => (v === null ? UNKNOWN : keys.has(keyOf(v)) ? TRUE : miss), out, start)
    }
    start += chunk.length
  }
  return out
}

function keyOf(v: Scalar): unknown {
  return v instanceof Uint8Array ? `b:${Array.from(v).join(',')}` : v
}

/** Read a column by global row index across its chunks (rows are visited in order). */
function globalReader(chunks: LeafChunk[], type: DeltaType): (row: number) => Scalar | null {
  const readers: ValueReader[] = chunks.map((c) => makeValueReader(c, type))
  const starts: number[] = [0]
  for (const c of chunks) starts.push(starts[starts.length - 1]! + c.length)
  let k = 0
  return (row) => {
    while (k > 0 && row < starts[k]!) k--
    while (row >= starts[k + 1]!) k++
    return readers[k]!(row - starts[k]!)
  }
}

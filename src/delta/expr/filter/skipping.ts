import type { Scalar } from '../../model/scalar.js'
import type { DeltaType } from '../../model/schema.js'
import type { ParsedStats } from '../../stats/parse.js'
import { compareFloats, compareStrings, compareValues, isFloating } from '../../values/compare.js'
import { compareTri, evaluateOnValues, inTri, likePrefix, likeTri, triOfCompare, type Tri } from './scalar-eval.js'
import { flipOp, type ColumnExpr, type CompareOp, type Expr, type InExpr, type LiteralExpr } from './types.js'

/** What skipping knows of one file: typed partition values and (maybe) its statistics. */
export interface FileSkippingInfo {
  /** The typed value of a partition column by logical name; `undefined` when `name` is not one. */
  partitionValues: (logicalName: string) => Scalar | null | undefined
  /** The file's statistics, when the log has them. */
  stats?: ParsedStats | undefined
}

// The truth values rows of a file might produce, as a bit set: over-approximating it is always
// safe, since a file is skipped only when TRUE is impossible.
type Outcomes = number
const F = 1
const N = 2
const T = 4
const ALL = F | N | T

function bit(t: Tri): Outcomes {
  return t === 2 ? T : t === 1 ? N : F
}

/** What skipping can say about one column in one file. */
type Facts =
  | { kind: 'exact'; value: Scalar | null }
  | { kind: 'range'; min?: Scalar; max?: Scalar; mayBeNull: boolean; allNull: boolean }

/**
 * False only when it is certain that no row of the file satisfies `expr`: partition columns are
 * evaluated exactly, other columns through min/max/nullCount bounds with SQL three-valued logic
 * (so `NOT (x > 3)` is handled right where x is NULL). Missing stats mean "may match". Float
 * columns never skip on values a NaN could satisfy, since stats do not reliably record NaN.
 */
export function mayMatchFile(expr: Expr, file: FileSkippingInfo): boolean {
  if (file.stats?.numRecords === 0) return false
  return (outcomes(expr, file) & T) !== 0
}

function outcomes(expr: Expr, file: FileSkippingInfo): Outcomes {
  switch (expr.kind) {
    case 'literal': return bit(evaluateOnValues(expr, () => null))
    case 'and': return junction(expr.args.map((a) => outcomes(a, file)), true)
    case 'or': return junction(expr.args.map((a) => outcomes(a, file)), false)
    case 'not': {
      const o = outcomes(expr.arg, file)
      return (o & N) | (o & T ? F : 0) | (o & F ? T : 0)
    }
    case 'compare': return compareOutcomes(expr.op, expr.left, expr.right, file)
    case 'isNull': return predicateOutcomes(expr.arg, file, (v) => bit(v === null ? 2 : 0), () => F)
    case 'in': return predicateOutcomes(expr.arg, file, (v) => bit(inTri(v, expr.arg.type, expr.values)), (f) => inRange(expr, f))
    case 'like': return predicateOutcomes(expr.arg, file, (v) => bit(likeTri(v, expr.pattern)), (f) => likeRange(expr.pattern, f))
  }
}

/** AND can be TRUE only if every side can, is FALSE if any side can be; OR the other way round. */
function junction(parts: Outcomes[], isAnd: boolean): Outcomes {
  const every = (b: number) => parts.every((p) => (p & b) !== 0)
  const some = (b: number) => parts.some((p) => (p & b) !== 0)
  const t = isAnd ? every(T) : some(T)
  const f = isAnd ? some(F) : every(F)
  return (t ? T : 0) | (f ? F : 0) | (some(N) ? N : 0)
}

function factsOf(column: ColumnExpr, file: FileSkippingInfo): Facts {
  if (column.path.length === 1) {
    const v = file.partitionValues(column.path[0]!)
    if (v !== undefined) return { kind: 'exact', value: v }
  }
  const stats = file.stats
  if (!stats) return { kind: 'range', mayBeNull: true, allNull: false }
  const nulls = stats.nullCount(column.path)
  const rows = stats.numRecords
  const allNull = nulls !== undefined && rows !== undefined && nulls === rows
  if (allNull) return { kind: 'range', mayBeNull: true, allNull: true }
  const min = stats.min(column.path, column.type)
  const max = stats.max(column.path, column.type)
  return { kind: 'range', min, max, mayBeNull: nulls !== 0, allNull: false }
}

type RangeFacts = Extract<Facts, { kind: 'range' }>

/** Outcomes of a one-column predicate: exact on a partition value, else from the column's range. */
function predicateOutcomes(arg: ColumnExpr | LiteralExpr, file: FileSkippingInfo, exact: (v: Scalar | null) => Outcomes, range: (f: RangeFacts) => Outcomes): Outcomes {
  if (arg.kind === 'literal') return exact(arg.value)
  const facts = factsOf(arg, file)
  if (facts.kind === 'exact') return exact(facts.value)
  if (facts.allNull) return exact(null)
  return range(facts) | (facts.mayBeNull ? exact(null) : 0)
}

function compareOutcomes(op: CompareOp, left: ColumnExpr | LiteralExpr, right: ColumnExpr | LiteralExpr, file: FileSkippingInfo): Outcomes {
  if (left.kind === 'literal' && right.kind === 'literal') return bit(compareTri(op, left.value, left.type, right.value, right.type))
  if (left.kind === 'column' && right.kind === 'literal') {
    const c = right.value
    if (c === null) return N
    return predicateOutcomes(left, file, (v) => bit(compareTri(op, v, left.type, c, right.type)), (f) => valueRange(op, f, c, left.type, right.type))
  }
  if (left.kind === 'literal') return compareOutcomes(flipOp(op), right, left, file)
  return columnPairOutcomes(op, left, right as ColumnExpr, file)
}

/** Two columns: exact when both are partition values, else only all-NULL sides tell anything. */
function columnPairOutcomes(op: CompareOp, a: ColumnExpr, b: ColumnExpr, file: FileSkippingInfo): Outcomes {
  const fa = factsOf(a, file)
  const fb = factsOf(b, file)
  if (fa.kind === 'exact' && fb.kind === 'exact') return bit(compareTri(op, fa.value, a.type, fb.value, b.type))
  const nullOnly = (f: Facts) => (f.kind === 'exact' ? f.value === null : f.allNull)
  return nullOnly(fa) || nullOnly(fb) ? N : ALL
}

/** Outcomes of `v op c` for non-null v with `min <= v <= max` (either bound may be unknown). */
function valueRange(op: CompareOp, f: RangeFacts, c: Scalar, type: DeltaType, cType: DeltaType): Outcomes {
  const cmp = (x: Scalar) => Math.sign(compareValues(x, type, c, cType))
  const lo = f.min === undefined ? undefined : cmp(f.min) // sign of min - c
  const hi = f.max === undefined ? undefined : cmp(f.max) // sign of max - c
  const loAtMost = (s: number) => lo === undefined || lo <= s // some v may be below or at c
  const hiAtLeast = (s: number) => hi === undefined || hi >= s
  const allEqual = lo === 0 && hi === 0
  let out = 0
  switch (op) {
    case '=': out = (loAtMost(0) && hiAtLeast(0) ? T : 0) | (allEqual ? 0 : F); break
    case '!=': out = (allEqual ? 0 : T) | (loAtMost(0) && hiAtLeast(0) ? F : 0); break
    case '<': out = (loAtMost(-1) ? T : 0) | (hiAtLeast(0) ? F : 0); break
    case '<=': out = (loAtMost(0) ? T : 0) | (hiAtLeast(1) ? F : 0); break
    case '>': out = (hiAtLeast(1) ? T : 0) | (loAtMost(0) ? F : 0); break
    case '>=': out = (hiAtLeast(0) ? T : 0) | (loAtMost(-1) ? F : 0); break
  }
  // A NaN row may hide behind float stats: add what NaN would answer.
  if (isFloating(type)) out |= bit(triOfCompare(op, compareFloats(NaN, Number(c))))
  return out
}

function inRange(expr: InExpr, f: RangeFacts): Outcomes {
  if (expr.values.length === 0) return F
  let out = 0
  for (const v of expr.values) {
    if (v.value === null) out |= N
    else out |= valueRange('=', f, v.value, expr.arg.type, v.type) & T
  }
  // A row matching no value is FALSE, or NULL when the list holds a NULL.
  return out | (expr.values.some((v) => v.value === null) ? N : F)
}

function likeRange(pattern: string, f: RangeFacts): Outcomes {
  const { prefix } = likePrefix(pattern)
  const min = typeof f.min === 'string' ? f.min : undefined
  const max = typeof f.max === 'string' ? f.max : undefined
  // Every match starts with `prefix`, so it is >= prefix and below any larger string lacking it.
  const aboveAll = min !== undefined && compareStrings(min, prefix) > 0 && !min.startsWith(prefix)
  const belowAll = max !== undefined && compareStrings(max, prefix) < 0
  return F | (aboveAll || belowAll ? 0 : T)
}

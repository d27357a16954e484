import type { DeltaType } from '../../model/schema.js'
import type { ColumnExpr, CompareOp, LiteralExpr } from '../filter/types.js'

/**
 * SQL value expressions, as CHECK constraints, column invariants, generated columns and DML
 * (UPDATE values, MERGE conditions) write them (`c1 + 1`, `year(ts)`, `price * qty < 1000`). A
 * tree apart from the filter `Expr`, so that filters keep their narrow, skippable meaning. Every node carries its result type; the binder
 * has already inserted the casts that make operand types meet, so evaluation never guesses.
 */
export type SqlExpr =
  | ColumnExpr
  | LiteralExpr
  | SqlArith
  | SqlNegate
  | SqlCast
  | SqlCall
  | SqlCompare
  | SqlJunction
  | SqlNot
  | SqlIsNull
  | SqlIn
  | SqlLike
  | SqlCase

/** Arithmetic operators. */
export type ArithOp = '+' | '-' | '*' | '/' | '%'

/**
 * `left op right` on numbers. Integer operands share one integer type (overflow is an error);
 * decimal operands keep their own scales and `type` is the decimal result; floating operands are
 * both `double`.
 */
export interface SqlArith {
  readonly kind: 'arith'
  readonly op: ArithOp
  readonly left: SqlExpr
  readonly right: SqlExpr
  readonly type: DeltaType
}

/** Unary minus. */
export interface SqlNegate {
  readonly kind: 'negate'
  readonly arg: SqlExpr
  readonly type: DeltaType
}

/** `CAST(arg AS type)`, also inserted by the binder where types meet. */
export interface SqlCast {
  readonly kind: 'cast'
  readonly arg: SqlExpr
  readonly type: DeltaType
}

/** Names of the functions expressions may call (lower case; aliases resolved). */
export type SqlFunctionName =
  | 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'to_date'
  | 'substring' | 'upper' | 'lower' | 'concat' | 'coalesce' | 'abs'
  | 'length' | 'trim' | 'ltrim' | 'rtrim' | 'replace'
  | 'round' | 'floor' | 'ceil' | 'greatest' | 'least'
  | 'date_trunc'

/** A function call; arguments are already cast to what the function takes. */
export interface SqlCall {
  readonly kind: 'call'
  readonly name: SqlFunctionName
  readonly args: readonly SqlExpr[]
  readonly type: DeltaType
}

/** A comparison; `<=>` is null-safe equality (never NULL). */
export interface SqlCompare {
  readonly kind: 'compare'
  readonly op: CompareOp | '<=>'
  readonly left: SqlExpr
  readonly right: SqlExpr
  readonly type: 'boolean'
}

/** AND / OR with SQL three-valued logic. */
export interface SqlJunction {
  readonly kind: 'and' | 'or'
  readonly args: readonly SqlExpr[]
  readonly type: 'boolean'
}

/** NOT (NOT NULL is NULL). */
export interface SqlNot {
  readonly kind: 'not'
  readonly arg: SqlExpr
  readonly type: 'boolean'
}

/** `arg IS NULL`. */
export interface SqlIsNull {
  readonly kind: 'isNull'
  readonly arg: SqlExpr
  readonly type: 'boolean'
}

/** `arg IN (values)`: TRUE on a match, else NULL if anything was NULL, else FALSE. */
export interface SqlIn {
  readonly kind: 'in'
  readonly arg: SqlExpr
  readonly values: readonly SqlExpr[]
  readonly type: 'boolean'
}

/** `arg LIKE 'pattern'` (`%`, `_`, `\` escapes). */
export interface SqlLike {
  readonly kind: 'like'
  readonly arg: SqlExpr
  readonly pattern: string
  readonly type: 'boolean'
}

/** One `WHEN when THEN value` of a CASE. */
export interface SqlCaseBranch {
  readonly when: SqlExpr
  readonly value: SqlExpr
}

/**
 * CASE, searched form (a simple `CASE x WHEN a` is bound as `WHEN x = a`; `nullif` and `if` are
 * CASEs too): the `value` of the first branch whose condition is TRUE (NULL is not TRUE), else
 * `otherwise` (a NULL literal when the text had no ELSE). Every `value` and `otherwise` is
 * already of `type`. Only the chosen value is computed for a row, so `CASE WHEN d = 0 THEN 0
 * ELSE n / d END` never divides by zero.
 */
export interface SqlCase {
  readonly kind: 'case'
  readonly branches: readonly SqlCaseBranch[]
  readonly otherwise: SqlExpr
  readonly type: DeltaType
}

/** The direct children of a node. */
export function childrenOf(expr: SqlExpr): readonly SqlExpr[] {
  switch (expr.kind) {
    case 'column':
    case 'literal': return []
    case 'arith':
    case 'compare': return [expr.left, expr.right]
    case 'negate':
    case 'cast':
    case 'not':
    case 'isNull':
    case 'like': return [expr.arg]
    case 'call':
    case 'and':
    case 'or': return expr.args
    case 'in': return [expr.arg, ...expr.values]
    case 'case': return [...expr.branches.flatMap((b) => [b.when, b.value]), expr.otherwise]
  }
}

/** The distinct columns an expression reads, in order of first use (for messages and projection). */
export function columnsOfSql(expr: SqlExpr): ColumnExpr[] {
  const seen = new Set<string>()
  const out: ColumnExpr[] = []
  const visit = (e: SqlExpr): void => {
    if (e.kind === 'column') {
      const key = JSON.stringify(e.path)
      if (!seen.has(key)) {
        seen.add(key)
        out.push(e)
      }
    }
    childrenOf(e).forEach(visit)
  }
  visit(expr)
  return out
}

import type { Scalar } from '../../model/scalar.js'
import type { DeltaType } from '../../model/schema.js'

/** Comparison operators, in their canonical spelling (`==` and `<>` parse to these). */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>='

/**
 * A column of the table's LOGICAL schema: `path` walks into structs (`['a', 'b']` is `a.b`),
 * spelled as in the schema, and `type` is the leaf's Delta type. Carrying the type lets skipping
 * and evaluation read stats and Arrow data without the schema at hand.
 */
export interface ColumnExpr {
  readonly kind: 'column'
  readonly path: readonly string[]
  readonly type: DeltaType
}

/** A typed constant in the JS form of its Delta type (see `Scalar`); `null` is SQL NULL. */
export interface LiteralExpr {
  readonly kind: 'literal'
  readonly value: Scalar | null
  readonly type: DeltaType
}

/** Anything that yields one value per row. */
export type ValueExpr = ColumnExpr | LiteralExpr

/** `left op right`; the parser puts the column on the left when one side is a literal. */
export interface CompareExpr {
  readonly kind: 'compare'
  readonly op: CompareOp
  readonly left: ValueExpr
  readonly right: ValueExpr
}

/** Conjunction (SQL AND, three-valued). */
export interface AndExpr {
  readonly kind: 'and'
  readonly args: readonly Expr[]
}

/** Disjunction (SQL OR, three-valued). */
export interface OrExpr {
  readonly kind: 'or'
  readonly args: readonly Expr[]
}

/** Negation (NOT NULL is NULL). `IS NOT NULL`, `NOT IN` and `NOT LIKE` are NOT over the positive form. */
export interface NotExpr {
  readonly kind: 'not'
  readonly arg: Expr
}

/** `arg IS NULL`: never NULL itself. */
export interface IsNullExpr {
  readonly kind: 'isNull'
  readonly arg: ValueExpr
}

/** `arg IN (values)`: TRUE on a match, else NULL if `arg` or any value is NULL, else FALSE. */
export interface InExpr {
  readonly kind: 'in'
  readonly arg: ValueExpr
  readonly values: readonly LiteralExpr[]
}

/** `arg LIKE pattern` on strings: `%` any run, `_` one character, `\` escapes the next one. */
export interface LikeExpr {
  readonly kind: 'like'
  readonly arg: ValueExpr
  readonly pattern: string
}

/**
 * A filter expression: one tree serves file skipping (partition values, stats) and row
 * filtering. A bare `LiteralExpr` is a constant predicate (TRUE, FALSE or NULL).
 */
export type Expr = LiteralExpr | CompareExpr | AndExpr | OrExpr | NotExpr | IsNullExpr | InExpr | LikeExpr

/** A column reference: `col('a.b', 'long')` or `col(['my.col'], 'string')` for names with dots. */
export function col(path: string | readonly string[], type: DeltaType): ColumnExpr {
  return { kind: 'column', path: typeof path === 'string' ? path.split('.') : [...path], type }
}

/** A typed literal; `value` must be the JS form `Scalar` documents for `type` (or null). */
export function lit(value: Scalar | null, type: DeltaType): LiteralExpr {
  return { kind: 'literal', value, type }
}

const FLIPPED: Record<CompareOp, CompareOp> = { '=': '=', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' }

/** The operator that keeps the meaning when the operands swap sides (`3 < x` is `x > 3`). */
export function flipOp(op: CompareOp): CompareOp {
  return FLIPPED[op]
}

/** A comparison, normalised so that a column sits on the left of a literal. */
export function compare(op: CompareOp, left: ValueExpr, right: ValueExpr): CompareExpr {
  if (left.kind === 'literal' && right.kind === 'column') return { kind: 'compare', op: flipOp(op), left: right, right: left }
  return { kind: 'compare', op, left, right }
}

/** `left = right`. */
export const eq = (left: ValueExpr, right: ValueExpr): CompareExpr => compare('=', left, right)
/** `left != right`. */
export const ne = (left: ValueExpr, right: ValueExpr): CompareExpr => compare('!=', left, right)
/** `left < right`. */
export const lt = (left: ValueExpr, right: ValueExpr): CompareExpr => compare('<', left, right)
/** `left <= right`. */
export const le = (left: ValueExpr, right: ValueExpr): CompareExpr => compare('<=', left, right)
/** `left > right`. */
export const gt = (left: ValueExpr, right: ValueExpr): CompareExpr => compare('>', left, right)
/** `left >= right`. */
export const ge = (left: ValueExpr, right: ValueExpr): CompareExpr => compare('>=', left, right)

/** Conjunction; nested ANDs are flattened, a single argument is returned as is. */
export function and(...args: Expr[]): Expr {
  return junctionOf('and', args)
}

/** Disjunction; nested ORs are flattened, a single argument is returned as is. */
export function or(...args: Expr[]): Expr {
  return junctionOf('or', args)
}

/**
 * AND or OR of a list of any length (as {@link and} and {@link or}, without spreading the list
 * into arguments, which overflows the stack past some 100,000 of them).
 */
export function junctionOf(kind: 'and' | 'or', args: readonly Expr[]): Expr {
  const flat: Expr[] = []
  for (const a of args) {
    if ((a.kind === 'and' || a.kind === 'or') && a.kind === kind) for (const x of a.args) flat.push(x)
    else flat.push(a)
  }
  if (flat.length === 0) return lit(kind === 'and', 'boolean')
  return flat.length === 1 ? flat[0]! : { kind, args: flat }
}

/** Negation. */
export function not(arg: Expr): NotExpr {
  return { kind: 'not', arg }
}

/** `arg IS NULL`. */
export function isNull(arg: ValueExpr): IsNullExpr {
  return { kind: 'isNull', arg }
}

/** `arg IS NOT NULL`. */
export function isNotNull(arg: ValueExpr): NotExpr {
  return not(isNull(arg))
}

/** `arg IN (values...)`. */
export function inList(arg: ValueExpr, values: readonly LiteralExpr[]): InExpr {
  return { kind: 'in', arg, values: [...values] }
}

/** `arg BETWEEN low AND high`, which SQL defines as `arg >= low AND arg <= high`. */
export function between(arg: ValueExpr, low: ValueExpr, high: ValueExpr): Expr {
  return and(ge(arg, low), le(arg, high))
}

/** `arg LIKE pattern`. */
export function like(arg: ValueExpr, pattern: string): LikeExpr {
  return { kind: 'like', arg, pattern }
}

/** The value operands an expression reads, in order of appearance. */
function operandsOf(expr: Expr): ValueExpr[] {
  switch (expr.kind) {
    case 'literal': return [expr]
    case 'compare': return [expr.left, expr.right]
    case 'and':
    case 'or': return expr.args.flatMap(operandsOf)
    case 'not': return operandsOf(expr.arg)
    case 'isNull':
    case 'like': return [expr.arg]
    case 'in': return [expr.arg, ...expr.values]
  }
}

/** The distinct column paths an expression uses, in order of first use (for projection). */
export function columnsOf(expr: Expr): string[][] {
  const seen = new Set<string>()
  const out: string[][] = []
  for (const op of operandsOf(expr)) {
    if (op.kind !== 'column') continue
    const key = JSON.stringify(op.path)
    if (!seen.has(key)) {
      seen.add(key)
      out.push([...op.path])
    }
  }
  return out
}

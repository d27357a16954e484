import type { Scalar } from '../../model/scalar.js'
import type { DeltaType } from '../../model/schema.js'
import { compareValues } from '../../values/compare.js'
import type { ColumnExpr, CompareOp, Expr, LiteralExpr } from './types.js'

/**
 * A SQL truth value, encoded so that AND is `min`, OR is `max` and NOT is `2 - v`:
 * FALSE = 0, NULL (unknown) = 1, TRUE = 2.
 */
export type Tri = 0 | 1 | 2
/** SQL FALSE. */
export const FALSE: Tri = 0
/** SQL NULL (unknown). */
export const UNKNOWN: Tri = 1
/** SQL TRUE. */
export const TRUE: Tri = 2

/** For each operator, the truth value when the comparison is negative, zero, positive. */
export const OP_TABLE: Readonly<Record<CompareOp, readonly [Tri, Tri, Tri]>> = {
  '=': [FALSE, TRUE, FALSE],
  '!=': [TRUE, FALSE, TRUE],
  '<': [TRUE, FALSE, FALSE],
  '<=': [TRUE, TRUE, FALSE],
  '>': [FALSE, FALSE, TRUE],
  '>=': [FALSE, TRUE, TRUE],
}

/** The truth value of `a op b` for a comparison result `cmp` (negative, zero or positive). */
export function triOfCompare(op: CompareOp, cmp: number): Tri {
  return OP_TABLE[op][cmp < 0 ? 0 : cmp > 0 ? 2 : 1]
}

/** `a op b` with SQL NULL semantics. */
export function compareTri(op: CompareOp, a: Scalar | null, aType: DeltaType, b: Scalar | null, bType: DeltaType): Tri {
  if (a === null || b === null) return UNKNOWN
  return triOfCompare(op, compareValues(a, aType, b, bType))
}

/** `v IN (values)` with SQL NULL semantics (an empty list is FALSE). */
export function inTri(v: Scalar | null, type: DeltaType, values: readonly LiteralExpr[]): Tri {
  if (values.length === 0) return FALSE
  if (v === null) return UNKNOWN
  let sawNull = false
  for (const x of values) {
    if (x.value === null) sawNull = true
    else if (compareValues(v, type, x.value, x.type) === 0) return TRUE
  }
  return sawNull ? UNKNOWN : FALSE
}

const LIKE_CACHE = new Map<string, RegExp>()

/** The pattern's parts: literal text runs and the wildcards `%` and `_` (`\` escapes). */
function likeParts(pattern: string): Array<{ lit: string } | { wild: '%' | '_' }> {
  const parts: Array<{ lit: string } | { wild: '%' | '_' }> = []
  const chars = [...pattern]
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    if (c === '%' || c === '_') parts.push({ wild: c })
    else parts.push({ lit: c === '\\' && i + 1 < chars.length ? chars[++i]! : c })
  }
  return parts
}

/** A LIKE pattern as an anchored RegExp matching whole code points. */
export function likeRegExp(pattern: string): RegExp {
  let re = LIKE_CACHE.get(pattern)
  if (!re) {
    const body = likeParts(pattern)
      .map((p) => ('wild' in p ? (p.wild === '%' ? '[^]*' : '[^]') : p.lit.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')))
      .join('')
    re = new RegExp(`^${body}$`, 'u')
    if (LIKE_CACHE.size > 256) LIKE_CACHE.clear()
    LIKE_CACHE.set(pattern, re)
  }
  return re
}

/** The literal text every match of a LIKE pattern starts with, and whether the pattern has no wildcard. */
export function likePrefix(pattern: string): { prefix: string; exact: boolean } {
  let prefix = ''
  for (const p of likeParts(pattern)) {
    if ('wild' in p) return { prefix, exact: false }
    prefix += p.lit
  }
  return { prefix, exact: true }
}

/** `v LIKE pattern` with SQL NULL semantics. */
export function likeTri(v: Scalar | null, pattern: string): Tri {
  if (v === null) return UNKNOWN
  return typeof v === 'string' && likeRegExp(pattern).test(v) ? TRUE : FALSE
}

/** The truth value of `expr` on one row whose column values come from `lookup`. */
export function evaluateOnValues(expr: Expr, lookup: (c: ColumnExpr) => Scalar | null): Tri {
  const value = (v: ColumnExpr | LiteralExpr): Scalar | null => (v.kind === 'column' ? lookup(v) : v.value)
  switch (expr.kind) {
    case 'literal': return expr.value === null ? UNKNOWN : expr.value === true ? TRUE : FALSE
    case 'compare': return compareTri(expr.op, value(expr.left), expr.left.type, value(expr.right), expr.right.type)
    case 'and': {
      let r: Tri = TRUE
      for (const a of expr.args) r = Math.min(r, evaluateOnValues(a, lookup)) as Tri
      return r
    }
    case 'or': {
      let r: Tri = FALSE
      for (const a of expr.args) r = Math.max(r, evaluateOnValues(a, lookup)) as Tri
      return r
    }
    case 'not': return (2 - evaluateOnValues(expr.arg, lookup)) as Tri
    case 'isNull': return value(expr.arg) === null ? TRUE : FALSE
    case 'in': return inTri(value(expr.arg), expr.arg.type, expr.values)
    case 'like': return likeTri(value(expr.arg), expr.pattern)
  }
}

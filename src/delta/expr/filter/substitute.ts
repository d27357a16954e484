import type { Scalar } from '../../model/scalar.js'
import { evaluateOnValues, FALSE, TRUE, UNKNOWN, type Tri } from './scalar-eval.js'
import { lit, type ColumnExpr, type Expr, type ValueExpr } from './types.js'

/**
 * `expr` with the columns `known` gives a value for (a data file's partition values) replaced
 * by those values and every part that then has one truth value folded to a literal, with the
 * same three-valued meaning: `region = 'eu' AND id > 5` is `id > 5` in a file of region 'eu'
 * and FALSE elsewhere. Row filtering then evaluates only what varies within the file.
 */
export function substituteColumns(expr: Expr, known: (c: ColumnExpr) => Scalar | null | undefined): Expr {
  const isKnown = (v: ValueExpr): boolean => v.kind === 'literal' || known(v) !== undefined
  const fold = (e: Expr): Expr => truth(evaluateOnValues(e, (c) => known(c) ?? null))
  switch (expr.kind) {
    case 'literal': return expr
    case 'compare': return isKnown(expr.left) && isKnown(expr.right) ? fold(expr) : expr
    case 'isNull':
    case 'in':
    case 'like': return isKnown(expr.arg) ? fold(expr) : expr
    case 'not': {
      const arg = substituteColumns(expr.arg, known)
      return arg.kind === 'literal' ? fold({ kind: 'not', arg }) : arg === expr.arg ? expr : { kind: 'not', arg }
    }
    case 'and':
    case 'or': {
      // AND is FALSE once any side is, and ignores TRUE sides; OR the other way round.
      const [absorbing, neutral] = expr.kind === 'and' ? [FALSE, TRUE] : [TRUE, FALSE]
      const args: Expr[] = []
      let changed = false
      for (const a of expr.args) {
        const s = substituteColumns(a, known)
        const t = s.kind === 'literal' ? triOf(s) : undefined
        if (t === absorbing) return truth(absorbing)
        if (t !== neutral) args.push(s)
        changed ||= s !== a
      }
      if (!changed) return expr
      if (args.length === 0) return truth(neutral)
      return args.length === 1 ? args[0]! : { kind: expr.kind, args }
    }
  }
}

function triOf(l: { value: Scalar | null }): Tri {
  return l.value === null ? UNKNOWN : l.value === true ? TRUE : FALSE
}

function truth(t: Tri): Expr {
  return lit(t === UNKNOWN ? null : t === TRUE, 'boolean')
}

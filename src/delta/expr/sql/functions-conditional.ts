import { castExpr, isNullLiteral, meetForCompare } from './coerce.js'
import { caseNode } from './case-node.js'
import { arity, type FunctionBinder } from './function-spec.js'
import type { SqlExpr } from './types.js'

/**
 * Functions that are CASE expressions in another spelling, bound as CASE nodes so that they
 * share its evaluation (only the chosen value is computed for a row).
 */

/** `nullif(a, b)`: NULL when `a = b`, else `a` (of `a`'s type, as Spark); a NULL on either side keeps `a`. */
export const NULLIF: FunctionBinder = {
  name: 'nullif',
  bind(args, fail) {
    arity('nullif', args, 2, 2, fail)
    const [b0, b] = args as [SqlExpr, SqlExpr]
    const a = isNullLiteral(b0) && !isNullLiteral(b) ? castExpr(b0, b.type, fail) : b0
    const [left, right] = meetForCompare(a, b, fail)
    return {
      kind: 'case',
      branches: [{ when: { kind: 'compare', op: '=', left, right, type: 'boolean' }, value: { kind: 'literal', value: null, type: a.type } }],
      otherwise: a,
      type: a.type,
    }
  },
}

/** `if(condition, then, else)`: CASE WHEN condition THEN then ELSE else END. */
export const IF: FunctionBinder = {
  name: 'if',
  bind(args, fail) {
    arity('if', args, 3, 3, fail)
    const [when, value, otherwise] = args as [SqlExpr, SqlExpr, SqlExpr]
    return caseNode([{ when, value }], otherwise, 'if()', fail)
  },
}

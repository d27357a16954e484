import { describeSql, isNullLiteral, unifyTypes, type Fail } from './coerce.js'
import type { SqlCase, SqlExpr } from './types.js'
import { typeText } from './typing.js'

/**
 * A CASE node from bound parts, as Spark types it: each WHEN a condition (a bare NULL counts as
 * a NULL condition, never taken), the THEN values and the ELSE brought to their common type (an
 * integer and a decimal meet as a decimal; a number and a string have none, `InvalidArgument`).
 * No ELSE is ELSE NULL. `what` names the construct in messages (`CASE`, `nullif()`).
 */
export function caseNode(branches: ReadonlyArray<{ when: SqlExpr; value: SqlExpr }>, otherwise: SqlExpr | undefined, what: string, fail: Fail): SqlCase {
  const conditions = branches.map(({ when }) => {
    if (isNullLiteral(when)) return { kind: 'literal', value: null, type: 'boolean' } as const
    if (when.type !== 'boolean') fail(`expected a condition in ${what}, but ${describeSql(when)} is ${typeText(when.type)}`)
    return when
  })
  const results = [...branches.map((b) => b.value), ...(otherwise ? [otherwise] : [])]
  const { exprs, type } = unifyTypes(results, `the THEN and ELSE values of ${what}`, fail)
  return {
    kind: 'case',
    branches: conditions.map((when, i) => ({ when, value: exprs[i]! })),
    otherwise: otherwise ? exprs[exprs.length - 1]! : { kind: 'literal', value: null, type },
    type,
  }
}

import { isDeltaError } from '../../engine/errors.js'
import type { DeltaType } from '../../model/schema.js'
import { canCast, castScalar } from './cast.js'
import type { SqlExpr } from './types.js'
import { commonType, isNumeric, typeText } from './typing.js'

/** Reports a binding error (with the expression text and position the binder knows). */
export type Fail = (message: string) => never

/** True for a bare NULL literal, which takes whatever type it meets. */
export function isNullLiteral(e: SqlExpr): boolean {
  return e.kind === 'literal' && e.value === null
}

/** How an operand is named in messages. */
export function describeSql(e: SqlExpr): string {
  if (e.kind === 'column') return `column '${e.path.join('.')}'`
  return e.kind === 'literal' ? 'a literal' : 'an expression'
}

/**
 * `e` as a value of `to`: unchanged when it already is one, a NULL literal retyped, another
 * literal converted now (so `'2024-01-01'` meeting a date is a date constant), anything else
 * wrapped in a cast node. An impossible cast fails.
 */
export function castExpr(e: SqlExpr, to: DeltaType, fail: Fail): SqlExpr {
  if (e.type === to) return e
  if (isNullLiteral(e)) return { kind: 'literal', value: null, type: to }
  if (!canCast(e.type, to)) fail(`cannot convert ${describeSql(e)} (${typeText(e.type)}) to ${typeText(to)}`)
  if (e.kind === 'literal') {
    try {
      return { kind: 'literal', value: castScalar(e.value!, e.type, to), type: to }
    } catch (err) {
      if (isDeltaError(err, 'InvalidData')) fail(err.message)
      throw err
    }
  }
  return { kind: 'cast', arg: e, type: to }
}

const TEMPORAL = new Set<DeltaType>(['date', 'timestamp', 'timestamp_ntz'])

/**
 * Bring the two sides of a comparison to types that compare: numbers compare across types as
 * they are; a string meets a date, timestamp, number or boolean as that type (Spark's implicit
 * cast); dates meet timestamps as timestamps.
 */
export function meetForCompare(a: SqlExpr, b: SqlExpr, fail: Fail): [SqlExpr, SqlExpr] {
  if (isNullLiteral(a) && isNullLiteral(b)) return [a, b]
  if (isNullLiteral(a)) return [castExpr(a, b.type, fail), b]
  if (isNullLiteral(b)) return [a, castExpr(b, a.type, fail)]
  for (const e of [a, b]) {
    if (typeof e.type !== 'string') fail(`cannot compare ${describeSql(e)} of type ${typeText(e.type)}; compare one of its fields`)
  }
  if (a.type === b.type || (isNumeric(a.type) && isNumeric(b.type))) return [a, b]
  if (a.type === 'string' && b.type !== 'binary') return [castExpr(a, b.type, fail), b]
  if (b.type === 'string' && a.type !== 'binary') return [a, castExpr(b, a.type, fail)]
  if (TEMPORAL.has(a.type) && TEMPORAL.has(b.type)) {
    const t = commonType(a.type, b.type)!
    return [castExpr(a, t, fail), castExpr(b, t, fail)]
  }
  return fail(`cannot compare ${describeSql(a)} (${typeText(a.type)}) with ${describeSql(b)} (${typeText(b.type)})`)
}

/**
 * Bring several values to one common type (COALESCE, the values of a CASE), or fail naming the
 * types; `what` names the values in that message (`the arguments of coalesce()`).
 */
export function unifyTypes(exprs: readonly SqlExpr[], what: string, fail: Fail): { exprs: SqlExpr[]; type: DeltaType } {
  let type: DeltaType | undefined
  for (const e of exprs) {
    if (isNullLiteral(e)) continue
    const next: DeltaType | undefined = type === undefined ? e.type : commonType(type, e.type)
    if (next === undefined) fail(`${what} have no common type (${exprs.map((x) => typeText(x.type)).join(', ')})`)
    type = next
  }
  const t = type ?? 'boolean'
  if (typeof t !== 'string') fail(`${what} must be single values, not ${typeText(t)}`)
  return { exprs: exprs.map((e) => castExpr(e, t, fail)), type: t }
}

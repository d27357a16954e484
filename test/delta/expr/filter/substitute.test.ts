import { describe, expect, it } from 'vitest'
import type { Scalar } from '../../../../src/delta/model/scalar.js'
import {
  and, col, evaluateOnValues, formatExpr, gt, inList, isNull, like, lit, not, or, substituteColumns, eq, type ColumnExpr, type Expr,
} from '../../../../src/delta/expr/index.js'

const p = col('p', 'string')
const x = col('x', 'long')
const VALUES: Record<string, Array<Scalar | null>> = { p: ['a', 'b', null], x: [1n, 5n, null] }

/** A seeded random filter over p and x, nested up to `depth`. */
function randomExpr(next: () => number, depth: number): Expr {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!
  if (depth === 0 || next() < 0.3) {
    return pick<() => Expr>([
      () => eq(p, lit(pick(['a', 'b', null]), 'string')),
      () => gt(x, lit(3n, 'long')),
      () => isNull(pick([p, x])),
      () => inList(p, [lit('a', 'string'), lit(null, 'string')]),
      () => like(p, 'a%'),
      () => lit(pick([true, false, null]), 'boolean'),
    ])()
  }
  const args = [randomExpr(next, depth - 1), randomExpr(next, depth - 1), randomExpr(next, depth - 1)].slice(0, 2 + Math.floor(next() * 2))
  return pick<() => Expr>([() => and(...args), () => or(...args), () => not(args[0]!)])()
}

function seeded(seed: number): () => number {
  let s = seed
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32)
}

describe('substituteColumns', () => {
  it('keeps the three-valued meaning of random filters for every value of the known column', () => {
    const next = seeded(7)
    for (let n = 0; n < 400; n++) {
      const expr = randomExpr(next, 3)
      for (const pv of VALUES.p!) {
        const known = (c: ColumnExpr) => (c.path[0] === 'p' ? pv : undefined)
        const sub = substituteColumns(expr, known)
        for (const xv of VALUES.x!) {
          const lookup = (c: ColumnExpr) => (c.path[0] === 'p' ? pv : xv)
          expect(evaluateOnValues(sub, lookup), `${formatExpr(expr)} with p = ${String(pv)}, x = ${String(xv)}`).toBe(evaluateOnValues(expr, lookup))
        }
      }
    }
  })

  it('leaves only what varies within the file', () => {
    const expr = and(eq(p, lit('a', 'string')), gt(x, lit(3n, 'long')))
    expect(substituteColumns(expr, (c) => (c.path[0] === 'p' ? 'a' : undefined))).toEqual(gt(x, lit(3n, 'long')))
    expect(substituteColumns(expr, (c) => (c.path[0] === 'p' ? 'b' : undefined))).toEqual(lit(false, 'boolean'))
    expect(substituteColumns(or(isNull(p), gt(x, lit(3n, 'long'))), (c) => (c.path[0] === 'p' ? null : undefined))).toEqual(lit(true, 'boolean'))
    expect(substituteColumns(expr, () => undefined)).toBe(expr)
  })
})

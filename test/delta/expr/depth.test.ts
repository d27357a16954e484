import { describe, expect, it } from 'vitest'
import { and, checkExprDepth, col, eq, evaluateFilter, lit, not, parseExpression, parseFilter, type Expr } from '../../../src/delta/expr/index.js'
import { MAX_EXPRESSION_DEPTH } from '../../../src/delta/expr/filter/parse-core.js'
import type { StructType } from '../../../src/delta/model/schema.js'
import { Int32, Table, vectorFromArray } from 'apache-arrow'
import { caught } from '../../helpers/caught.js'
import { parseStats } from '../../../src/delta/stats/parse.js'

const schema: StructType = { type: 'struct', fields: [{ name: 'x', type: 'integer', nullable: true, metadata: {} }] }
const parsers = {
  filter: (text: string) => parseFilter(text, schema),
  expression: (text: string) => parseExpression(text, schema),
}

// Hostile or generated text nested thousands deep must be refused with a typed error before
// any recursion over it (parsing, binding, evaluating) can overflow the stack.
describe('expression depth', () => {
  const deep = (n: number): Record<string, string> => ({
    parentheses: `${'('.repeat(n)}x = 1${')'.repeat(n)}`,
    nots: `${'NOT '.repeat(n)}x = 1`,
    'parenthesised nots': `${'NOT ('.repeat(n)}x = 1${')'.repeat(n)}`,
  })

  for (const [noun, parse] of Object.entries(parsers)) {
    for (const n of [2_000, 10_000, 100_000]) {
      for (const [what, text] of Object.entries(deep(n))) {
        it(`refuses ${n} nested ${what} in ${noun === 'filter' ? 'a filter' : 'an expression'} as InvalidArgument`, () => {
          const e = caught(() => parse(text))
          expect(e.code).toBe('InvalidArgument')
          expect(e.message).toMatch(new RegExp(`nested more than ${MAX_EXPRESSION_DEPTH} levels`))
          expect(e.message.length).toBeLessThan(400)
        })
      }
    }
  }

  it('refuses deep signs, function calls and CASTs in expressions, and long arithmetic chains', () => {
    const n = 5_000
    for (const text of [
      `${'-'.repeat(n)}x > 0`,
      `${'- '.repeat(n)}x > 0`,
      `${'abs('.repeat(n)}x${')'.repeat(n)} > 0`,
      `${'CAST('.repeat(n)}x${' AS int)'.repeat(n)} > 0`,
      `${Array.from({ length: n }, () => 'x').join(' + ')} > 0`,
      `${Array.from({ length: n }, () => 'x').join(' * ')} > 0`,
    ]) {
      const e = caught(() => parseExpression(text, schema))
      expect(e.code).toBe('InvalidArgument')
      expect(e.message).toMatch(/nested more than 256 levels/)
    }
  })

  it('takes nesting up to the limit, and AND/OR chains of any length', () => {
    const within = MAX_EXPRESSION_DEPTH - 2
    expect(parseFilter(`${'('.repeat(within)}x = 1${')'.repeat(within)}`, schema)).toMatchObject({ kind: 'compare' })
    expect(parseExpression(`${'('.repeat(within)}x = 1${')'.repeat(within)}`, schema)).toMatchObject({ kind: 'compare' })
    const terms = Array.from({ length: 200_000 }, (_, i) => `x = ${i}`)
    const filter = parseFilter(terms.join(' OR '), schema)
    expect(filter).toMatchObject({ kind: 'or' })
    const expr = parseExpression(terms.slice(0, 20_000).join(' OR '), schema)
    expect(expr).toMatchObject({ kind: 'or' })
    const data = new Table({ x: vectorFromArray([1, 5, 300_000], new Int32()) })
    expect(Array.from(evaluateFilter(filter, data), Boolean)).toEqual([true, true, false])
  })

  it('reads stats nested 100,000 deep without recursion: no bound, no error', () => {
    const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`
    for (const text of [`{"numRecords":5,"minValues":{"x":${deep}},"maxValues":${deep}}`, deep, `{"minValues":${'{"x":'.repeat(100_000)}1${'}'.repeat(100_000)}}`]) {
      const stats = parseStats(text)!
      expect(stats.min(['x'], 'integer')).toBeUndefined()
      expect(stats.max(['x'], 'integer')).toBeUndefined()
      expect(stats.nullCount(['x'])).toBeUndefined()
    }
  })

  it('checks the depth of a filter built in code, without recursion', () => {
    const leaf = eq(col('x', 'integer'), lit(1, 'integer'))
    let deep: Expr = leaf
    for (let i = 0; i < 100_000; i++) deep = i % 2 ? not(deep) : and(deep, leaf)
    expect(caught(() => checkExprDepth(deep))).toMatchObject({ code: 'InvalidArgument', message: expect.stringMatching(/nested more than 256 levels/) })
    let ok: Expr = leaf
    for (let i = 0; i < MAX_EXPRESSION_DEPTH - 1; i++) ok = not(ok)
    expect(() => checkExprDepth(ok)).not.toThrow()
  })
})

import { describe, expect, it } from 'vitest'
import { columnsOfSql, evaluateSqlValues, parseExpression, parseFilter } from '../../../../src/delta/expr/index.js'
import type { StructType } from '../../../../src/delta/model/schema.js'
import { field, struct, tableOf } from '../../write/features/helpers.js'
import { expectDeltaError } from '../../../helpers/caught.js'

const schema: StructType = struct(
  field('i', 'integer'), field('j', 'integer'), field('s', 'string'), field('flag', 'boolean'), field('price', 'decimal(10,2)'),
)

const table = tableOf({
  i: { type: 'integer', values: [1, 5, null, -3] },
  j: { type: 'integer', values: [0, 2, 3, 0] },
  s: { type: 'string', values: ['a', 'b', null, 'c'] },
  flag: { type: 'boolean', values: [true, false, null, true] },
  price: { type: 'decimal(10,2)', values: [1999n, 5n, null, -100n] },
})

const values = (text: string, s = schema, rows = table) => evaluateSqlValues(parseExpression(text, s), rows)
const typeOf = (text: string) => parseExpression(text, schema).type
const expectError = expectDeltaError

describe('CASE WHEN (searched)', () => {
  it('takes the first branch whose condition is TRUE; a NULL condition is not taken', () => {
    expect(values("CASE WHEN i > 2 THEN 'big' WHEN i > 0 THEN 'small' ELSE 'other' END")).toEqual(['small', 'big', 'other', 'other'])
    expect(values("case when flag then 'y' else 'n' end")).toEqual(['y', 'n', 'n', 'y'])
    expect(typeOf("CASE WHEN i > 2 THEN 'big' ELSE 'other' END")).toBe('string')
  })

  it('gives NULL without ELSE', () => {
    expect(values('CASE WHEN i > 2 THEN i END')).toEqual([null, 5, null, null])
    expect(typeOf('CASE WHEN i > 2 THEN i END')).toBe('integer')
    expect(values('CASE WHEN NULL THEN 1 ELSE 2 END')).toEqual([2, 2, 2, 2])
  })

  it('brings the values to their common type, as Spark', () => {
    // integer meets decimal(2,1): decimal(10,0) widened to one fraction digit, decimal(11,1)
    expect(typeOf('CASE WHEN flag THEN 1 ELSE 2.5 END')).toBe('decimal(11,1)')
    expect(values('CASE WHEN flag THEN 1 ELSE 2.5 END')).toEqual([10n, 25n, 25n, 10n])
    expect(typeOf('CASE WHEN flag THEN i ELSE 10000000000 END')).toBe('long')
    expect(values('CASE WHEN flag THEN i ELSE 10000000000 END')).toEqual([1n, 10_000_000_000n, 10_000_000_000n, -3n])
    expect(typeOf('CASE WHEN flag THEN price ELSE 0.001 END')).toBe('decimal(11,3)')
    expect(values('CASE WHEN flag THEN price ELSE 0.001 END')).toEqual([19_990n, 1n, 1n, -1000n])
    expect(typeOf('CASE WHEN flag THEN NULL ELSE j END')).toBe('integer')
  })

  it('computes a value only for the rows that take it', () => {
    expectError(() => values('i / j'), 'InvalidData', /division by zero/)
    expect(values('CASE WHEN j = 0 THEN 0 ELSE i / j END')).toEqual([0, 2.5, null, 0])
    expect(values('CASE WHEN j <> 0 THEN i / j END')).toEqual([null, 2.5, null, null])
  })

  it('nests, and serves as a value in conditions and arithmetic', () => {
    expect(values("CASE WHEN i IS NULL THEN 'none' ELSE CASE WHEN i > 0 THEN 'pos' ELSE 'neg' END END")).toEqual(['pos', 'pos', 'none', 'neg'])
    expect(values('(CASE WHEN flag THEN i ELSE j END) = 1')).toEqual([true, false, false, false])
    expect(values('CASE WHEN flag THEN i ELSE j END * 10 + 1')).toEqual([11, 21, 31, -29])
    expect(values("concat(CASE WHEN flag THEN 'T' ELSE 'F' END, s)")).toEqual(['Ta', 'Fb', null, 'Tc'])
  })

  it('lists the columns it reads', () => {
    expect(columnsOfSql(parseExpression('CASE WHEN flag THEN i ELSE j END', schema)).map((c) => c.path.join('.'))).toEqual(['flag', 'i', 'j'])
  })
})

describe('CASE x WHEN (simple)', () => {
  it('compares the operand with each WHEN value; NULL matches nothing', () => {
    expect(values("CASE s WHEN 'a' THEN 1 WHEN 'b' THEN 2 ELSE 0 END")).toEqual([1, 2, 0, 0])
    expect(values('CASE i WHEN NULL THEN 1 ELSE 0 END')).toEqual([0, 0, 0, 0])
    expect(values('CASE j WHEN 0 THEN i END')).toEqual([1, null, null, -3])
  })

  it('brings the operand and each WHEN value to one type, as a comparison does', () => {
    expect(values("CASE j WHEN '0' THEN 'zero' WHEN '3' THEN 'three' END")).toEqual(['zero', null, 'three', 'zero'])
    expect(values('CASE price WHEN 0.05 THEN 1 ELSE 0 END')).toEqual([0, 1, 0, 0])
    expect(values('CASE (j + 1) WHEN 1 THEN true ELSE false END')).toEqual([true, false, false, true])
  })
})

describe('CASE errors', () => {
  it('refuses values with no common type as InvalidArgument', () => {
    expectError(() => parseExpression("CASE WHEN flag THEN 1 ELSE 'x' END", schema), 'InvalidArgument', /THEN and ELSE values of CASE have no common type \(integer, string\)/)
    expectError(() => parseExpression("CASE s WHEN 'a' THEN flag ELSE price END", schema), 'InvalidArgument', /no common type/)
  })

  it('refuses a WHEN that is not a condition, and a simple WHEN that does not compare', () => {
    expectError(() => parseExpression('CASE WHEN s THEN 1 END', schema), 'InvalidArgument', /expected a condition, but column 's' is string/)
    expectError(() => parseExpression('CASE flag WHEN 1 THEN 1 END', schema), 'InvalidArgument', /cannot compare/)
  })

  it('reports syntax errors with what was expected', () => {
    expectError(() => parseExpression('CASE WHEN flag 1 END', schema), 'InvalidArgument', /expected THEN after the WHEN of a CASE/)
    expectError(() => parseExpression('CASE flag END', schema), 'InvalidArgument', /expected WHEN in CASE/)
    expectError(() => parseExpression('CASE WHEN flag THEN 1', schema), 'InvalidArgument', /expected WHEN, ELSE or END in CASE, found the end/)
    expectError(() => parseExpression('CASE WHEN flag THEN 1 ELSE END', schema), 'InvalidArgument', /needs backticks/)
  })

  it('keeps columns named case and end usable', () => {
    const odd = struct(field('case', 'integer'), field('end', 'integer'))
    const rows = tableOf({ case: { type: 'integer', values: [1, 2] }, end: { type: 'integer', values: [0, 5] } })
    expect(values('case = 1', odd, rows)).toEqual([true, false])
    expect(values('end + 1', odd, rows)).toEqual([1, 6])
    expect(values('CASE WHEN `end` > 0 THEN `case` ELSE 0 END', odd, rows)).toEqual([0, 2])
    expect(parseFilter('case = 1', odd)).toMatchObject({ kind: 'compare' })
  })

  it('counts each CASE as a nesting level', () => {
    const nested = (n: number) => `${'CASE WHEN flag THEN '.repeat(n)}1${' END'.repeat(n)}`
    expect(values(nested(100))).toEqual([1, null, null, 1])
    expectError(() => parseExpression(nested(300), schema), 'InvalidArgument', /nested more than 256 levels/)
  })

  it('stays out of filters, refused by name', () => {
    expectError(() => parseFilter('CASE WHEN i > 1 THEN true ELSE false END', schema), 'UnsupportedFeature', /CASE expressions are not supported in filters/)
    expectError(() => parseFilter("CASE s WHEN 'a' THEN true END = true", schema), 'UnsupportedFeature', /CASE/)
  })
})

describe('functions that are CASE in another spelling', () => {
  it('nullif(a, b) is NULL when a = b, else a (of a\'s type)', () => {
    expect(values('nullif(j, 0)')).toEqual([null, 2, 3, null])
    expect(values("nullif(s, 'b')")).toEqual(['a', null, null, 'c'])
    expect(values('nullif(i, NULL)')).toEqual([1, 5, null, -3])
    expect(values('nullif(NULL, j)')).toEqual([null, null, null, null])
    expect(typeOf('nullif(j, 2.5)')).toBe('integer')
    expect(values("nullif(j, '2')")).toEqual([0, null, 3, 0])
    expectError(() => parseExpression('nullif(j)', schema), 'InvalidArgument', /nullif\(\) takes 2 arguments, not 1/)
    expectError(() => parseExpression('nullif(flag, 1)', schema), 'InvalidArgument', /cannot compare/)
  })

  it('if(c, a, b) and ifnull/nvl', () => {
    expect(values("if(flag, 'y', 'n')")).toEqual(['y', 'n', 'n', 'y'])
    expect(values('if(j = 0, 0, i / j)')).toEqual([0, 2.5, null, 0])
    expectError(() => parseExpression("if(flag, 1, 'x')", schema), 'InvalidArgument', /no common type/)
    expectError(() => parseExpression('if(s, 1, 2)', schema), 'InvalidArgument', /expected a condition in if\(\)/)
    expect(values('nvl(i, 0)')).toEqual([1, 5, 0, -3])
    expect(values('ifnull(i, j)')).toEqual([1, 5, 3, -3])
    expectError(() => parseExpression('nvl(i, j, 0)', schema), 'InvalidArgument', /nvl\(\) takes 2 arguments, not 3/)
  })
})

describe('operands computed only where they decide the result', () => {
  it('AND and OR stop at a decisive operand, as Spark', () => {
    expect(values('j <> 0 AND i / j > 2')).toEqual([false, true, null, false])
    expect(values('j = 0 OR i / j > 2')).toEqual([true, true, null, true])
    // NULL is not decisive: the next operand still runs and can make it FALSE
    expect(values('flag AND j < 2')).toEqual([true, false, false, true])
    expect(values('flag AND j > 2')).toEqual([false, false, null, false])
    expect(values('flag OR j > 2')).toEqual([true, false, true, true])
  })

  it('coalesce computes an argument only for the rows still NULL', () => {
    expect(values('coalesce(i, 10 / j)')).toEqual([1, 5, 10 / 3, -3])
    expectError(() => values('coalesce(10 / j, i)'), 'InvalidData', /division by zero/)
  })
})

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  castScalar, evaluateCondition, evaluateExpression, evaluateSqlValues, parseExpression, parseFilter,
} from '../../../../src/delta/expr/index.js'
import { parseSchema, type StructType } from '../../../../src/delta/model/schema.js'
import { corpusDir, hasCorpus } from '../../../conformance/corpus.js'
import { field, struct, tableOf } from '../../write/features/helpers.js'
import { expectDeltaError } from '../../../helpers/caught.js'

const schema: StructType = struct(
  field('i', 'integer'), field('j', 'integer'), field('l', 'long'), field('b', 'byte'), field('d', 'double'),
  field('price', 'decimal(10,2)'), field('qty', 'integer'), field('s', 'string'), field('day', 'date'),
  field('ts', 'timestamp'), field('ntz', 'timestamp_ntz'), field('flag', 'boolean'),
  field('nested', struct(field('x', 'integer'))),
)

const table = tableOf({
  i: { type: 'integer', values: [1, 2147483647, null, -5] },
  j: { type: 'integer', values: [2, 1, 3, 0] },
  l: { type: 'long', values: [10n, 9223372036854775807n, null, -1n] },
  d: { type: 'double', values: [1.5, 2, null, -0.5] },
  price: { type: 'decimal(10,2)', values: [1999n, 5n, null, -100n] },
  qty: { type: 'integer', values: [3, 1000, 2, 1] },
  s: { type: 'string', values: ['héllo wörld', 'abc', null, ''] },
  day: { type: 'date', values: [19_723, 0, null, -1] }, // 2024-01-01, 1970-01-01, 1969-12-31
  ts: { type: 'timestamp', values: [1_704_110_400_000_000n, 0n, null, -1n] }, // 2024-01-01T12:00Z
  ntz: { type: 'timestamp_ntz', values: [1_704_153_599_000_000n, 0n, null, 0n] }, // 2024-01-01T23:59:59
  flag: { type: 'boolean', values: [true, false, null, true] },
})

const values = (text: string, rows = table) => evaluateSqlValues(parseExpression(text, schema), rows)
const expectError = expectDeltaError

describe('parseExpression: types as Spark types them', () => {
  it('keeps integer arithmetic integer and widens to the wider operand', () => {
    expect(parseExpression('i + 1', schema).type).toBe('integer')
    expect(parseExpression('i + l', schema).type).toBe('long')
    expect(parseExpression('i + 3000000000', schema).type).toBe('long')
    expect(parseExpression('b * b', schema).type).toBe('byte')
    expect(parseExpression('i / j', schema).type).toBe('double')
    expect(parseExpression('i % j', schema).type).toBe('integer')
    expect(parseExpression('-i', schema).type).toBe('integer')
  })

  it('follows the decimal result rules', () => {
    expect(parseExpression('price + price', schema).type).toBe('decimal(11,2)')
    expect(parseExpression('price * qty', schema).type).toBe('decimal(21,2)')
    expect(parseExpression('price / 3', schema).type).toBe('decimal(21,13)')
    expect(parseExpression('price + 1.5', schema).type).toBe('decimal(11,2)')
    expect(parseExpression('price * price * price * price', schema).type).toBe('decimal(38,6)')
    expect(parseExpression('price + d', schema).type).toBe('double')
  })

  it('types literals: int, long, decimal, double, typed dates', () => {
    expect(parseExpression('2147483647', schema).type).toBe('integer')
    expect(parseExpression('-2147483648', schema).type).toBe('integer')
    expect(parseExpression('2147483648', schema).type).toBe('long')
    expect(parseExpression('1.50', schema).type).toBe('decimal(3,2)')
    expect(parseExpression('1e3', schema).type).toBe('double')
    expect(parseExpression("DATE '2024-01-01'", schema).type).toBe('date')
  })

  it('gives boolean conditions with value expressions on both sides', () => {
    expect(parseExpression('i = j + 1', schema).type).toBe('boolean')
    expect(parseExpression('price * qty < 1000 AND NOT flag', schema).type).toBe('boolean')
  })

  it('refuses unknown functions by name and unsupported casts', () => {
    expectError(() => parseExpression('md5(s)', schema), 'UnsupportedFeature', /function 'md5' is not supported in expressions/)
    expectError(() => parseExpression('CAST(s AS interval)', schema), 'UnsupportedFeature', /interval/)
    expectError(() => parseExpression("to_date(s, 'yyyy')", schema), 'UnsupportedFeature')
  })

  it('reports syntax errors, unknown columns and type errors as InvalidArgument', () => {
    expectError(() => parseExpression('i +', schema), 'InvalidArgument', /invalid expression/)
    expectError(() => parseExpression('nope + 1', schema), 'InvalidArgument', /unknown column 'nope'/)
    expectError(() => parseExpression('s + 1', schema), 'InvalidArgument', /works on numbers/)
    expectError(() => parseExpression('flag AND i', schema), 'InvalidArgument', /expected a condition/)
    expectError(() => parseExpression("'abc", schema), 'InvalidArgument', /^invalid expression/)
    expectError(() => parseExpression("day > 'not a date'", schema), 'InvalidArgument', /not a date/)
  })

  it('leaves filters as they were: arithmetic is still refused there', () => {
    expectError(() => parseFilter('i + 1 > 2', schema), 'UnsupportedFeature')
  })
})

describe('evaluateSqlValues', () => {
  it('computes integer arithmetic with NULL propagation and errors on overflow', () => {
    expect(values('j + 1')).toEqual([3, 2, 4, 1])
    expect(values('j * 2 - qty')).toEqual([1, -998, 4, -1])
    expectError(() => values('i + 1'), 'InvalidData', /overflow: 2147483647 \+ 1 does not fit integer/)
    expectError(() => values('l + 1'), 'InvalidData', /overflow/)
    expect(values('-j')).toEqual([-2, -1, -3, 0])
    expect(values('j % 2')).toEqual([0, 1, 1, 0])
    expect(values('(0 - 7) % 2', tableOf({ x: { type: 'integer', values: [1] } }))).toEqual([-1])
  })

  it('divides as double and refuses division by zero', () => {
    expect(values('qty / 2')).toEqual([1.5, 500, 1, 0.5])
    expectError(() => values('qty / j'), 'InvalidData', /division by zero/)
    expectError(() => values('qty % j'), 'InvalidData', /division by zero/)
  })

  it('computes decimals exactly', () => {
    expect(values('price * qty')).toEqual([5997n, 5000n, null, -100n])
    expect(parseExpression('price + 0.005', schema).type).toBe('decimal(12,3)')
    expect(values('price + 0.005')).toEqual([19995n, 55n, null, -995n])
    expect(values('price / 3')).toEqual([66633333333333n, 166666666667n, null, -3333333333333n])
    expect(values('CAST(price AS decimal(10,1))')).toEqual([200n, 1n, null, -10n])
  })

  it('compares values of different types exactly, and <=> never gives NULL', () => {
    expect(values('price * qty < 1000')).toEqual([true, true, null, true])
    expect(values('d = price')).toEqual([false, false, null, false])
    expect(values('j <=> NULL')).toEqual([false, false, false, false])
    expect(values('i <=> i')).toEqual([true, true, true, true])
    expect(values("day >= '2024-01-01'")).toEqual([true, false, null, false])
    expect(values('ts > day')).toEqual([true, false, null, true])
    expect(values('j IN (1, 2.0, NULL)')).toEqual([true, true, null, null])
    expect(values("s LIKE 'a%'")).toEqual([false, true, null, false])
    expect(values('j BETWEEN 1 AND 2')).toEqual([true, true, false, false])
  })

  it('uses SQL three-valued logic', () => {
    expect(values('flag AND j > 1')).toEqual([true, false, null, false])
    expect(values('flag OR j > 1')).toEqual([true, false, true, true])
    expect(values('NOT flag')).toEqual([false, true, null, false])
    expect(values('i IS NULL')).toEqual([false, false, true, false])
  })

  it('casts between types, in ANSI mode', () => {
    expect(values('CAST(j AS string)')).toEqual(['2', '1', '3', '0'])
    expect(values('CAST(d AS string)')).toEqual(['1.5', '2.0', null, '-0.5'])
    expect(values('CAST(d AS int)')).toEqual([1, 2, null, 0])
    expect(values('CAST(ts AS DATE)')).toEqual([19_723, 0, null, -1])
    expect(values('CAST(ts AS string)')).toEqual(['2024-01-01 12:00:00', '1970-01-01 00:00:00', null, '1969-12-31 23:59:59.999999'])
    expect(values("CAST('12' AS bigint) + j")).toEqual([14n, 13n, 15n, 12n])
    expectError(() => values('CAST(l AS int)'), 'InvalidData', /out of range/)
    expectError(() => values("CAST(s AS int)"), 'InvalidData', /not a number/)
    expect(castScalar(1e21, 'double', 'string')).toBe('1.0E21')
    expect(castScalar(0.0001, 'double', 'string')).toBe('1.0E-4')
    expect(castScalar(Math.fround(0.1), 'float', 'string')).toBe('0.1')
    expect(castScalar('2.345', 'string', 'decimal(5,2)')).toBe(235n)
    expect(castScalar('-2.345', 'string', 'decimal(5,2)')).toBe(-235n)
    expect(castScalar(-1.005, 'double', 'decimal(5,1)')).toBe(-10n)
  })

  it('evaluates the date and string functions (UTC for timestamps)', () => {
    expect(values('year(ts)')).toEqual([2024, 1970, null, 1969])
    expect(values('month(day)')).toEqual([1, 1, null, 12])
    expect(values('dayofmonth(ts)')).toEqual([1, 1, null, 31])
    expect(values('hour(ts)')).toEqual([12, 0, null, 23])
    expect(values('hour(ntz)')).toEqual([23, 0, null, 0])
    expect(values('minute(ntz)')).toEqual([59, 0, null, 0])
    expect(values('to_date(ts)')).toEqual([19_723, 0, null, -1])
    expect(values("year('2020-05-06')")).toEqual([2020, 2020, 2020, 2020])
    expect(values('upper(s)')).toEqual(['HÉLLO WÖRLD', 'ABC', null, ''])
    expect(values('lower(upper(s))')).toEqual(['héllo wörld', 'abc', null, ''])
    expect(values('substring(s, 2, 3)')).toEqual(['éll', 'bc', null, ''])
    expect(values('substr(s, -3)')).toEqual(['rld', 'abc', null, ''])
    expect(values('substring(s, 0, 2)')).toEqual(['hé', 'ab', null, ''])
    expect(values("concat(s, '-', j)")).toEqual(['héllo wörld-2', 'abc-1', null, '-0'])
    expect(values("s || '!'")).toEqual(['héllo wörld!', 'abc!', null, '!'])
    expect(values('coalesce(i, j, 0)')).toEqual([1, 2147483647, 3, -5])
    expect(values('coalesce(l, j)')).toEqual([10n, 9223372036854775807n, 3n, -1n])
    expect(values('abs(i)')).toEqual([1, 2147483647, null, 5])
    expect(values('abs(price)')).toEqual([1999n, 5n, null, 100n])
  })
})

describe('evaluateExpression and evaluateCondition', () => {
  it('returns a vector of the result type', () => {
    const v = evaluateExpression(parseExpression('price * qty', schema), table)
    expect(String(v.type)).toMatch(/Decimal/)
    expect(v.length).toBe(4)
    expect(v.nullCount).toBe(1)
    const s = evaluateExpression(parseExpression("concat(s, '!')", schema), table)
    expect(s.toArray()).toEqual(['héllo wörld!', 'abc!', null, '!'])
  })

  it('gives truth values 0/1/2 per row', () => {
    expect([...evaluateCondition(parseExpression('j > 1', schema), table)]).toEqual([2, 0, 2, 0])
    expect([...evaluateCondition(parseExpression('i > 0', schema), table)]).toEqual([2, 2, 1, 0])
  })
})

const corpus = corpusDir()
describe.skipIf(!hasCorpus(corpus))('corpus: dbr_8_1_generated_columns', () => {
  it('parses and evaluates its generation expression c1 + 1', () => {
    const log = readFileSync(join(corpus, 'tables/dbr_8_1_generated_columns/_delta_log/00000000000000000000.json'), 'utf8')
    const meta = log.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { metaData?: { schemaString: string } }).find((a) => a.metaData)!
    const tableSchema = parseSchema(meta.metaData!.schemaString)
    const c2 = tableSchema.fields.find((f) => f.name === 'c2')!
    const expr = parseExpression(String(c2.metadata['delta.generationExpression']), tableSchema)
    expect(expr.type).toBe('integer')
    const rows = tableOf({ c1: { type: 'integer', values: [1, null, -1] } })
    expect(evaluateSqlValues(expr, rows)).toEqual([2, null, 0])
  })
})

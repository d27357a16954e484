import { describe, expect, it } from 'vitest'
import { evaluateExpression, evaluateSqlValues, parseExpression } from '../../../../src/delta/expr/index.js'
import type { StructType } from '../../../../src/delta/model/schema.js'
import { field, struct, tableOf } from '../../write/features/helpers.js'
import { expectDeltaError } from '../../../helpers/caught.js'

const schema: StructType = struct(
  field('i', 'integer'), field('j', 'integer'), field('l', 'long'), field('d', 'double'), field('f', 'float'),
  field('price', 'decimal(10,2)'), field('s', 'string'), field('t', 'string'), field('bin', 'binary'),
  field('ts', 'timestamp'), field('ntz', 'timestamp_ntz'), field('day', 'date'), field('unit', 'string'),
)

/** Microseconds since the epoch of a UTC calendar time (Date.UTC is the independent oracle). */
const utc = (y: number, mo: number, d: number, h = 0, mi = 0, sec = 0, ms = 0, us = 0) => BigInt(Date.UTC(y, mo - 1, d, h, mi, sec, ms)) * 1000n + BigInt(us)

const table = tableOf({
  i: { type: 'integer', values: [15, -15, 14, null] },
  j: { type: 'integer', values: [0, 2, 3, 0] },
  l: { type: 'long', values: [25n, -25n, 9_223_372_036_854_775_807n, null] },
  d: { type: 'double', values: [2.5, -2.5, 2.675, null] },
  f: { type: 'float', values: [Math.fround(0.125), Math.fround(-1.5), Math.fround(2.5), null] },
  price: { type: 'decimal(10,2)', values: [1999n, 5n, -125n, null] }, // 19.99, 0.05, -1.25
  s: { type: 'string', values: ['héllo', '😀x', '', null] },
  t: { type: 'string', values: ['  a b  ', '\ta\t', 'xxhixx', null] },
  bin: { type: 'binary', values: [new Uint8Array([1, 2, 255]), new Uint8Array([]), new Uint8Array([0]), null] },
  ts: { type: 'timestamp', values: [utc(2024, 5, 15, 13, 45, 30, 123, 456), -1n, utc(2023, 12, 31, 23, 59, 59), null] },
  ntz: { type: 'timestamp_ntz', values: [utc(2024, 2, 29, 6), 0n, 0n, null] },
  day: { type: 'date', values: [19_858, 0, -1, null] }, // 2024-05-15, 1970-01-01, 1969-12-31
  unit: { type: 'string', values: ['month', 'fortnight', 'HOUR', 'DAY'] },
})

const values = (text: string, rows = table) => evaluateSqlValues(parseExpression(text, schema), rows)
const typeOf = (text: string) => parseExpression(text, schema).type
const expectError = expectDeltaError

describe('length', () => {
  it('counts characters (code points) of a string and bytes of a binary', () => {
    expect(values('length(s)')).toEqual([5, 2, 0, null])
    expect(values('char_length(s)')).toEqual([5, 2, 0, null])
    expect(values('CHARACTER_LENGTH(s)')).toEqual([5, 2, 0, null])
    expect(values('length(bin)')).toEqual([3, 0, 1, null])
    expect(values("length(X'00FF')")).toEqual([2, 2, 2, 2])
    expect(typeOf('length(s)')).toBe('integer')
  })

  it('measures other values as their text', () => {
    expect(values('length(i)')).toEqual([2, 3, 2, null])
    expect(values('length(day)')).toEqual([10, 10, 10, null])
    expectError(() => parseExpression('length(s, 1)', schema), 'InvalidArgument', /length\(\) takes 1 argument, not 2/)
  })
})

describe('round', () => {
  it('rounds doubles HALF_UP through their decimal text, as Spark', () => {
    expect(values('round(d)')).toEqual([3, -3, 3, null])
    // 2.675 is stored just below 2.675; Spark (and we) round its text 2.675 up
    expect(values('round(d, 2)')).toEqual([2.5, -2.5, 2.68, null])
    expect(values('round(d, 1)')).toEqual([2.5, -2.5, 2.7, null])
    expect(values('round(1.005e0, 2)')[0]).toBe(1.01)
    expect(values('round(d, -1)')).toEqual([0, 0, 0, null])
    expect(Object.is(values('round(-0.4e0)')[0], 0)).toBe(true) // never -0
    expect(values('round(125e0, -1)')[0]).toBe(130)
    expect(typeOf('round(d, 2)')).toBe('double')
    const special = tableOf({ d: { type: 'double', values: [Number.NaN, Infinity, -Infinity, 1e300] } })
    expect(values('round(d, 2)', special)).toEqual([Number.NaN, Infinity, -Infinity, 1e300])
  })

  it('rounds floats and keeps them float', () => {
    expect(typeOf('round(f, 1)')).toBe('float')
    expect(values('round(f, 2)')).toEqual([Math.fround(0.13), -1.5, 2.5, null])
    expect(values('round(f)')).toEqual([0, -2, 3, null])
  })

  it('keeps integers, rounding at tens with a negative scale; overflow is an error', () => {
    expect(values('round(i)')).toEqual([15, -15, 14, null])
    expect(values('round(i, 2)')).toEqual([15, -15, 14, null])
    expect(values('round(i, -1)')).toEqual([20, -20, 10, null])
    expect(typeOf('round(i, -1)')).toBe('integer')
    const longs = tableOf({ l: { type: 'long', values: [25n, -25n, 24n, 9_223_372_036_854_775_807n] } })
    expect(values('round(l, -1)', longs.slice(0, 3))).toEqual([30n, -30n, 20n])
    expect(values('round(l, -2)', longs.slice(0, 3))).toEqual([0n, 0n, 0n])
    expectError(() => values('round(l, -1)', longs), 'InvalidData', /overflow: round\(9223372036854775807, -1\) does not fit long/)
    expectError(() => values('round(2147483647, -1)'), 'InvalidData', /overflow/)
  })

  it('gives a decimal the scale asked for, with one more integer digit, as Spark types it', () => {
    expect(typeOf('round(price, 1)')).toBe('decimal(10,1)')
    expect(values('round(price, 1)')).toEqual([200n, 1n, -13n, null]) // 20.0, 0.1, -1.3
    expect(typeOf('round(price)')).toBe('decimal(9,0)')
    expect(values('round(price)')).toEqual([20n, 0n, -1n, null])
    expect(typeOf('round(price, 5)')).toBe('decimal(11,2)')
    expect(values('round(price, 5)')).toEqual([1999n, 5n, -125n, null])
    expect(typeOf('round(price, -1)')).toBe('decimal(9,0)')
    expect(values('round(price, -1)')).toEqual([20n, 0n, 0n, null])
    expect(typeOf('round(9.95, 1)')).toBe('decimal(3,1)')
    expect(values('round(9.95, 1)')[0]).toBe(100n) // 10.0
    expect(typeOf('round(0.5, -3)')).toBe('decimal(4,0)')
  })

  it('takes its scale as a whole-number literal and a number to round', () => {
    expectError(() => parseExpression('round(d, j)', schema), 'InvalidArgument', /whole-number literal/)
    expectError(() => parseExpression('round(d, 1.5)', schema), 'InvalidArgument', /whole-number literal/)
    expectError(() => parseExpression('round(s)', schema), 'InvalidArgument', /round\(\) takes a number, but column 's' is string/)
    expect(values('round(NULL, 1)')).toEqual([null, null, null, null])
  })
})

describe('floor and ceil', () => {
  it('give long for integers and doubles, as Java casts (NaN 0, beyond the range its end)', () => {
    expect(typeOf('floor(d)')).toBe('long')
    expect(values('floor(d)')).toEqual([2n, -3n, 2n, null])
    expect(values('ceil(d)')).toEqual([3n, -2n, 3n, null])
    expect(values('ceiling(d)')).toEqual([3n, -2n, 3n, null])
    expect(values('floor(i)')).toEqual([15n, -15n, 14n, null])
    expect(values('ceil(f)')).toEqual([1n, -1n, 3n, null])
    const special = tableOf({ d: { type: 'double', values: [Number.NaN, 1e30, -1e30, -0.5] } })
    expect(values('floor(d)', special)).toEqual([0n, 9_223_372_036_854_775_807n, -9_223_372_036_854_775_808n, -1n])
  })

  it('give decimal(p-s+1, 0) for a decimal', () => {
    expect(typeOf('floor(price)')).toBe('decimal(9,0)')
    expect(values('floor(price)')).toEqual([19n, 0n, -2n, null])
    expect(values('ceil(price)')).toEqual([20n, 1n, -1n, null])
    expect(typeOf('ceil(CAST(i AS decimal(5,0)))')).toBe('decimal(5,0)')
    expectError(() => parseExpression('floor(s)', schema), 'InvalidArgument', /floor\(\) takes a number/)
  })
})

describe('greatest and least', () => {
  it('skip NULLs and give the common type', () => {
    expect(values('greatest(i, j, 0)')).toEqual([15, 2, 14, 0])
    expect(values('least(i, j, 0)')).toEqual([0, -15, 0, 0])
    expect(values('greatest(i, NULL)')).toEqual([15, -15, 14, null])
    expect(typeOf('greatest(i, 2.5)')).toBe('decimal(11,1)')
    expect(values('greatest(i, 2.5)')).toEqual([150n, 25n, 140n, 25n])
    expect(values('greatest(s, t)')).toEqual(['héllo', '😀x', 'xxhixx', null])
    expect(values('least(ts, day)')).toEqual([utc(2024, 5, 15), -1n, utc(1969, 12, 31), null])
  })

  it('put NaN above every number, as Spark orders them', () => {
    const nan = tableOf({ d: { type: 'double', values: [Number.NaN, 1] } })
    expect(values('greatest(d, 1e308)', nan)).toEqual([Number.NaN, 1e308])
    expect(values('least(d, 1e308)', nan)).toEqual([1e308, 1])
  })

  it('refuse values without a common type and a single argument', () => {
    expectError(() => parseExpression('greatest(s, i)', schema), 'InvalidArgument', /the arguments of greatest\(\) have no common type \(string, integer\)/)
    expectError(() => parseExpression('least(i)', schema), 'InvalidArgument', /least\(\) takes at least 2 arguments, not 1/)
  })
})

describe('date_trunc', () => {
  const at = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0, us = 0) => utc(y, mo, d, h, mi, s, ms, us)

  it('truncates to each unit, unit first, in UTC', () => {
    const row0 = (unit: string) => values(`date_trunc('${unit}', ts)`)[0]
    expect(row0('YEAR')).toBe(at(2024, 1, 1))
    expect(row0('QUARTER')).toBe(at(2024, 4, 1))
    expect(row0('MONTH')).toBe(at(2024, 5, 1))
    expect(row0('WEEK')).toBe(at(2024, 5, 13)) // 2024-05-15 is a Wednesday
    expect(row0('DAY')).toBe(at(2024, 5, 15))
    expect(row0('HOUR')).toBe(at(2024, 5, 15, 13))
    expect(row0('MINUTE')).toBe(at(2024, 5, 15, 13, 45))
    expect(row0('SECOND')).toBe(at(2024, 5, 15, 13, 45, 30))
    expect(row0('MILLISECOND')).toBe(at(2024, 5, 15, 13, 45, 30, 123))
    expect(row0('MICROSECOND')).toBe(at(2024, 5, 15, 13, 45, 30, 123, 456))
    expect(typeOf("date_trunc('DAY', ts)")).toBe('timestamp')
  })

  it('reads units in any case and Spark\'s short spellings', () => {
    expect(values("date_trunc('month', ts)")[0]).toBe(at(2024, 5, 1))
    expect(values("date_trunc('Mm', ts)")[0]).toBe(at(2024, 5, 1))
    expect(values("date_trunc('yyyy', ts)")[0]).toBe(at(2024, 1, 1))
    expect(values("date_trunc('dd', ts)")[0]).toBe(at(2024, 5, 15))
  })

  it('floors times before 1970 and keeps NULL', () => {
    expect(values("date_trunc('DAY', ts)")).toEqual([at(2024, 5, 15), at(1969, 12, 31), at(2023, 12, 31), null])
    expect(values("date_trunc('YEAR', ts)")[1]).toBe(at(1969, 1, 1))
    expect(values("date_trunc('WEEK', ts)")[1]).toBe(at(1969, 12, 29))
    expect(values("date_trunc('QUARTER', ts)")[2]).toBe(at(2023, 10, 1))
    expect(values("date_trunc('SECOND', ts)")[1]).toBe(at(1969, 12, 31, 23, 59, 59))
  })

  it('takes dates, timestamp_ntz and text as timestamps', () => {
    expect(values("date_trunc('MONTH', day)")).toEqual([at(2024, 5, 1), at(1970, 1, 1), at(1969, 12, 1), null])
    expect(values("date_trunc('HOUR', ntz)")[0]).toBe(at(2024, 2, 29, 6))
    expect(values("date_trunc('YEAR', '2020-07-04 10:00:00')")[0]).toBe(at(2020, 1, 1))
  })

  it('gives NULL for an unknown unit read from a column, as Spark', () => {
    expect(values('date_trunc(unit, ts)')).toEqual([at(2024, 5, 1), null, at(2023, 12, 31, 23), null])
  })

  it('refuses an unknown literal unit and swapped arguments', () => {
    expectError(() => parseExpression("date_trunc('fortnight', ts)", schema), 'InvalidArgument', /does not know the unit 'fortnight'/)
    expectError(() => parseExpression("date_trunc(ts, 'MONTH')", schema), 'InvalidArgument', /takes the unit as text first/)
    expectError(() => parseExpression("date_trunc('DAY', i)", schema), 'InvalidArgument', /truncates a timestamp, but column 'i' is integer/)
  })

  it('evaluates to a timestamp vector', () => {
    const v = evaluateExpression(parseExpression("date_trunc('DAY', ts)", schema), table)
    expect(String(v.type)).toMatch(/Timestamp/)
    expect(v.nullCount).toBe(1)
  })
})

describe('current_timestamp and current_date', () => {
  it('are the instant given, for every row', () => {
    const now = new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 500))
    const micros = BigInt(now.getTime()) * 1000n
    const eval4 = (text: string) => evaluateSqlValues(parseExpression(text, schema, { now }), table)
    expect(eval4('current_timestamp()')).toEqual([micros, micros, micros, micros])
    expect(eval4('now()')).toEqual([micros, micros, micros, micros])
    expect(eval4('current_date()')).toEqual([19_782, 19_782, 19_782, 19_782]) // 2024-02-29
    expect(eval4('CURRENT_TIMESTAMP')).toEqual([micros, micros, micros, micros])
    expect(eval4('current_date')).toEqual([19_782, 19_782, 19_782, 19_782])
    expect(eval4("date_trunc('MONTH', current_timestamp())")[0]).toBe(utc(2024, 2, 1))
    expect(parseExpression('current_timestamp()', schema).type).toBe('timestamp')
    expect(parseExpression('current_date()', schema).type).toBe('date')
  })

  it('read the clock once per parsed expression: all calls and evaluations agree', () => {
    const before = BigInt(Date.now()) * 1000n
    const expr = parseExpression('current_timestamp()', schema)
    const after = BigInt(Date.now()) * 1000n
    const first = evaluateSqlValues(expr, table) as bigint[]
    expect(new Set(first).size).toBe(1)
    expect(first[0]! >= before && first[0]! <= after).toBe(true)
    expect(evaluateSqlValues(expr, table)).toEqual(first)
    expect(values('current_timestamp() = now() AND CAST(current_timestamp() AS date) = current_date()')).toEqual([true, true, true, true])
  })

  it('give way to a column of that name, and take no arguments', () => {
    const withColumn = struct(field('current_date', 'integer'))
    const rows = tableOf({ current_date: { type: 'integer', values: [7] } })
    expect(evaluateSqlValues(parseExpression('current_date', withColumn), rows)).toEqual([7])
    expectError(() => parseExpression('current_date(1)', schema), 'InvalidArgument', /current_date\(\) takes 0 arguments, not 1/)
    expectError(() => parseExpression('current_timestamp', schema, { now: new Date(Number.NaN) }), 'InvalidArgument', /not a valid date/)
  })
})

describe('trim, ltrim, rtrim', () => {
  it('remove spaces only (not tabs), at the chosen ends', () => {
    expect(values('trim(t)')).toEqual(['a b', '\ta\t', 'xxhixx', null])
    expect(values('ltrim(t)')).toEqual(['a b  ', '\ta\t', 'xxhixx', null])
    expect(values('rtrim(t)')).toEqual(['  a b', '\ta\t', 'xxhixx', null])
  })

  it('take characters to remove with the SQL FROM form', () => {
    expect(values("TRIM(BOTH 'x' FROM t)")).toEqual(['  a b  ', '\ta\t', 'hi', null])
    expect(values("trim(LEADING 'x' FROM t)")).toEqual(['  a b  ', '\ta\t', 'hixx', null])
    expect(values("trim(TRAILING 'x' FROM t)")).toEqual(['  a b  ', '\ta\t', 'xxhi', null])
    expect(values("trim('xh' FROM t)")).toEqual(['  a b  ', '\ta\t', 'i', null])
    expect(values("trim('\t' FROM t)")).toEqual(['  a b  ', 'a', 'xxhixx', null])
    expect(values('trim(LEADING FROM t)')).toEqual(['a b  ', '\ta\t', 'xxhixx', null])
    expect(values('trim(BOTH FROM t)')).toEqual(['a b', '\ta\t', 'xxhixx', null])
    expect(values("trim(BOTH '😀' FROM '😀a😀')")[0]).toBe('a')
    expect(values('trim(BOTH NULL FROM t)')).toEqual([null, null, null, null])
  })

  it('refuse the two-argument call, whose order Spark versions disagree on', () => {
    expectError(() => parseExpression("trim(t, 'x')", schema), 'InvalidArgument', /TRIM\(BOTH characters FROM string\)/)
    expectError(() => parseExpression("ltrim(t, 'x')", schema), 'InvalidArgument', /TRIM\(LEADING characters FROM string\)/)
    expectError(() => parseExpression("trim(BOTH 'x' t)", schema), 'InvalidArgument', /expected FROM/)
  })

  it('still read columns named both or from', () => {
    const odd = struct(field('both', 'string'), field('from', 'string'))
    const rows = tableOf({ both: { type: 'string', values: [' x '] }, from: { type: 'string', values: [' y'] } })
    expect(evaluateSqlValues(parseExpression('trim(both)', odd), rows)).toEqual(['x'])
    expect(evaluateSqlValues(parseExpression('trim(from)', odd), rows)).toEqual(['y'])
    expect(evaluateSqlValues(parseExpression("trim(both FROM from) || '!'", odd), rows)).toEqual(['y!'])
  })
})

describe('replace', () => {
  it('replaces every occurrence, literally', () => {
    expect(values("replace(s, 'l', 'L')")).toEqual(['héLLo', '😀x', '', null])
    expect(values("replace(s, 'l')")).toEqual(['héo', '😀x', '', null])
    expect(values("replace('a.b.c', '.', '-')")[0]).toBe('a-b-c')
    expect(values("replace('a$&b', '$&', '$$')")[0]).toBe('a$$b')
  })

  it('leaves the text as it is for an empty search, and gives NULL for a NULL argument', () => {
    expect(values("replace(s, '', 'x')")).toEqual(['héllo', '😀x', '', null])
    expect(values("replace(s, NULL, 'x')")).toEqual([null, null, null, null])
    expect(values("replace(s, 'l', NULL)")).toEqual([null, null, null, null])
    expectError(() => parseExpression('replace(s)', schema), 'InvalidArgument', /replace\(\) takes 2 to 3 arguments, not 1/)
  })
})

describe('functions outside the list', () => {
  it('are refused by name', () => {
    expectError(() => parseExpression('md5(s)', schema), 'UnsupportedFeature', /function 'md5' is not supported in expressions/)
    expectError(() => parseExpression('bround(d, 1)', schema), 'UnsupportedFeature', /function 'bround' is not supported/)
    expectError(() => parseExpression('CASE WHEN sha2(s, 256) IS NULL THEN 1 END', schema), 'UnsupportedFeature', /function 'sha2'/)
  })

  it('lists the supported ones, the new ones included', () => {
    expectError(() => parseExpression('nope()', schema), 'UnsupportedFeature', /supported: .*date_trunc.*greatest.*length.*nullif.*replace.*round.*trim/)
  })
})

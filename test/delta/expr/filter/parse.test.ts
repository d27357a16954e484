import { describe, expect, it } from 'vitest'
import { isDeltaError } from '../../../../src/delta/engine/errors.js'
import {
  and, between, col, columnsOf, eq, formatExpr, gt, inList, isNotNull, like, lit, lt, not, or, parseFilter, type Expr,
} from '../../../../src/delta/expr/index.js'
import type { StructType } from '../../../../src/delta/model/schema.js'

const field = (name: string, type: StructType['fields'][number]['type']) => ({ name, type, nullable: true, metadata: {} })

const schema: StructType = {
  type: 'struct',
  fields: [
    field('year', 'integer'),
    field('value', 'long'),
    field('price', 'decimal(10,2)'),
    field('ratio', 'double'),
    field('f32', 'float'),
    field('name', 'string'),
    field('flag', 'boolean'),
    field('day', 'date'),
    field('ts', 'timestamp'),
    field('ntz', 'timestamp_ntz'),
    field('bytes', 'binary'),
    field('tiny', 'byte'),
    field('my col', 'string'),
    field('x.y', 'integer'),
    field('date', 'date'),
    field('Mixed', 'integer'),
    field('s', { type: 'struct', fields: [field('a', { type: 'struct', fields: [field('b', 'long')] }), field('c', 'string')] }),
    field('tags', { type: 'array', elementType: 'string', containsNull: true }),
  ],
}

const c = {
  year: col('year', 'integer'),
  value: col('value', 'long'),
  price: col('price', 'decimal(10,2)'),
  ratio: col('ratio', 'double'),
  name: col('name', 'string'),
  flag: col('flag', 'boolean'),
  day: col('day', 'date'),
  ts: col('ts', 'timestamp'),
  ntz: col('ntz', 'timestamp_ntz'),
}

function parseError(text: string): { code: string; message: string } {
  try {
    parseFilter(text, schema)
  } catch (e) {
    if (isDeltaError(e)) return { code: e.code, message: e.message }
    throw e
  }
  throw new Error(`expected '${text}' to fail`)
}

describe('parseFilter: structure and precedence', () => {
  it('parses the README example into an AND of two comparisons', () => {
    expect(parseFilter('year = 2024 AND value > 3', schema)).toEqual(and(eq(c.year, lit(2024, 'integer')), gt(c.value, lit(3n, 'long'))))
  })

  it('binds AND tighter than OR, and NOT tighter than AND', () => {
    const e = parseFilter('year = 1 OR NOT year = 2 AND value < 3', schema)
    expect(e).toEqual(or(eq(c.year, lit(1, 'integer')), and(not(eq(c.year, lit(2, 'integer'))), lt(c.value, lit(3n, 'long')))))
  })

  it('honours parentheses and is case-insensitive in keywords', () => {
    const e = parseFilter('(year = 1 or year = 2) and NoT (value IS null)', schema)
    expect(e.kind).toBe('and')
    expect(formatExpr(e)).toBe('(year = 1 OR year = 2) AND value IS NOT NULL')
  })

  it('normalises a literal on the left: 3 < x is x > 3', () => {
    expect(parseFilter('3 < value', schema)).toEqual(gt(c.value, lit(3n, 'long')))
    expect(parseFilter('3 >= value', schema)).toEqual({ kind: 'compare', op: '<=', left: c.value, right: lit(3n, 'long') })
  })

  it('spells every comparison operator', () => {
    const ops = { '=': '=', '==': '=', '!=': '!=', '<>': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' }
    for (const [text, op] of Object.entries(ops)) {
      expect(parseFilter(`year ${text} 1`, schema)).toMatchObject({ kind: 'compare', op })
    }
  })

  it('parses IS [NOT] NULL, [NOT] IN, [NOT] BETWEEN and [NOT] LIKE', () => {
    expect(parseFilter('name IS NOT NULL', schema)).toEqual(isNotNull(c.name))
    expect(parseFilter('year IN (1, 2, NULL)', schema)).toEqual(inList(c.year, [lit(1, 'integer'), lit(2, 'integer'), lit(null, 'integer')]))
    expect(parseFilter('year NOT IN (1)', schema)).toEqual(not(inList(c.year, [lit(1, 'integer')])))
    expect(parseFilter('year BETWEEN 1 AND 5', schema)).toEqual(between(c.year, lit(1, 'integer'), lit(5, 'integer')))
    expect(parseFilter('year NOT BETWEEN 1 AND 5 AND flag', schema)).toEqual(
      and(not(between(c.year, lit(1, 'integer'), lit(5, 'integer'))), eq(c.flag, lit(true, 'boolean'))),
    )
    expect(parseFilter("name NOT LIKE 'a%'", schema)).toEqual(not(like(c.name, 'a%')))
  })

  it('treats a bare boolean column as column = TRUE and accepts constant predicates', () => {
    expect(parseFilter('flag', schema)).toEqual(eq(c.flag, lit(true, 'boolean')))
    expect(parseFilter('NOT flag', schema)).toEqual(not(eq(c.flag, lit(true, 'boolean'))))
    expect(parseFilter('TRUE', schema)).toEqual(lit(true, 'boolean'))
    expect(parseFilter('NULL', schema)).toEqual(lit(null, 'boolean'))
  })

  it('allows column-vs-column comparisons of one family', () => {
    expect(parseFilter('year < value', schema)).toEqual(lt(c.year, c.value))
    expect(parseError('year = name').message).toMatch(/cannot compare column 'year' \(integer\) with column 'name' \(string\)/)
  })
})

describe('parseFilter: column references', () => {
  it('resolves exact names first, then case-insensitively, keeping the schema spelling', () => {
    expect(parseFilter('YEAR = 1', schema)).toEqual(eq(c.year, lit(1, 'integer')))
    expect(parseFilter('mixed = 1', schema)).toEqual(eq(col(['Mixed'], 'integer'), lit(1, 'integer')))
  })

  it('walks dotted paths into structs', () => {
    expect(parseFilter('s.a.b > 1', schema)).toEqual(gt(col(['s', 'a', 'b'], 'long'), lit(1n, 'long')))
    expect(parseFilter('S.C IS NULL', schema)).toMatchObject({ arg: { path: ['s', 'c'], type: 'string' } })
  })

  it('accepts backticks and double quotes, with doubled quote escaping', () => {
    expect(parseFilter("`my col` = 'a'", schema)).toMatchObject({ left: { path: ['my col'] } })
    expect(parseFilter('"my col" = \'a\'', schema)).toMatchObject({ left: { path: ['my col'] } })
    expect(parseFilter('`x.y` = 1', schema)).toMatchObject({ left: { path: ['x.y'] } })
    expect(parseFilter('`s`.`a`.`b` = 1', schema)).toMatchObject({ left: { path: ['s', 'a', 'b'] } })
    const weird: StructType = { type: 'struct', fields: [field('a`b', 'integer')] }
    expect(parseFilter('`a``b` = 1', weird)).toMatchObject({ left: { path: ['a`b'] } })
  })

  it('reads a column named like a typed-literal keyword as a column', () => {
    expect(parseFilter("date = '2024-01-02'", schema)).toMatchObject({ left: { path: ['date'], type: 'date' } })
    expect(parseFilter("date = DATE '2024-01-02'", schema)).toMatchObject({ right: { value: 19724 } })
  })

  it('names an unknown column and lists the columns', () => {
    const e = parseError('nope = 1')
    expect(e.code).toBe('InvalidArgument')
    expect(e.message).toMatch(/unknown column 'nope'/)
    expect(e.message).toMatch(/year, value, price/)
    expect(e.message).toMatch(/position 1/)
    expect(parseError('s.zzz = 1').message).toMatch(/unknown column 's.zzz'; 's' has fields: a, c/)
    expect(parseError('year.x = 1').message).toMatch(/not a struct/)
  })

  it('reports the columns a filter uses', () => {
    const e = parseFilter('year = 1 AND (s.a.b > 2 OR year < 5) AND name IS NULL', schema)
    expect(columnsOf(e)).toEqual([['year'], ['s', 'a', 'b'], ['name']])
  })
})

describe('parseFilter: literals typed against their column', () => {
  const valueOf = (text: string) => (parseFilter(text, schema) as { right: { value: unknown } }).right.value

  it('types integers, longs beyond 2^53 and negative numbers exactly', () => {
    expect(valueOf('year = -5')).toBe(-5)
    expect(valueOf('value = 9007199254740993')).toBe(9007199254740993n)
    expect(valueOf('value = -9223372036854775808')).toBe(-9223372036854775808n)
    expect(valueOf('value = 1e3')).toBe(1000n)
    expect(valueOf("year = '42'")).toBe(42)
  })

  it('types decimals as exact unscaled bigints, never through floats', () => {
    expect(valueOf('price = 1.5')).toBe(150n)
    expect(valueOf('price = 12345678.91')).toBe(1234567891n)
    expect(valueOf('price = -0.07')).toBe(-7n)
    expect(valueOf('price = 2.5e2')).toBe(25000n)
    expect(valueOf('price = 3')).toBe(300n)
  })

  it('types doubles, scientific numbers and special values', () => {
    expect(valueOf('ratio = 0.1')).toBe(0.1)
    expect(valueOf('ratio > -1.5E-3')).toBe(-0.0015)
    expect(valueOf("ratio = 'NaN'")).toBeNaN()
    expect(valueOf("ratio < 'Infinity'")).toBe(Infinity)
  })

  it("types strings with '' escaping, booleans, binary", () => {
    expect(valueOf("name = 'it''s'")).toBe("it's")
    expect(valueOf("name = ''")).toBe('')
    expect(valueOf('flag = false')).toBe(false)
    expect(valueOf("bytes = X'00fF10'")).toEqual(new Uint8Array([0, 255, 16]))
    expect(valueOf("bytes = 'hé'")).toEqual(new TextEncoder().encode('hé'))
  })

  it('types dates and timestamps, zone-less = UTC for timestamp and wall time for timestamp_ntz', () => {
    expect(valueOf("day = '1970-01-02'")).toBe(1)
    expect(valueOf("day = DATE '1969-12-31'")).toBe(-1)
    expect(valueOf("ts = '1970-01-01 00:00:01.000002'")).toBe(1_000_002n)
    expect(valueOf("ts = TIMESTAMP '1970-01-01T01:00:00+01:00'")).toBe(0n)
    expect(valueOf("ts = TIMESTAMP '2021-09-08T03:06:40.000000Z'")).toBe(1631070400000000n)
    expect(valueOf("ts >= DATE '1970-01-02'")).toBe(86_400_000_000n)
    expect(valueOf("ntz = TIMESTAMP_NTZ '2021-11-18 02:30:00.123'")).toBe(1637202600123000n)
    expect(valueOf("ntz = TIMESTAMP '2021-11-18 02:30:00.123'")).toBe(1637202600123000n)
    expect(valueOf("ts = '9999-12-31 23:59:59.999999'")).toBe(253402300799999999n)
    expect(valueOf("ts = '0001-01-01 00:00:00'")).toBe(-62135596800000000n)
  })

  it('refuses literals that do not fit, pointing at them', () => {
    const cases: Array<[string, RegExp]> = [
      ['price = 1.234', /at most 2 decimal places/],
      ['price = 123456789012', /more digits/],
      ['tiny = 300', /out of range for byte/],
      ['year = 1.5', /not a whole number/],
      ["day = '2024-02-30'", /not a valid date/],
      ["ts = '2024-01-01 10:00:00.1234567'", /not a valid timestamp/],
      ["ntz = '2024-01-01 10:00:00Z'", /has a time zone/],
      ['name = 5', /expected a quoted string/],
      ["flag = 'yes'", /expected TRUE or FALSE/],
      ["day = TIMESTAMP '2024-01-01 00:00:00'", /expected DATE/],
    ]
    for (const [text, re] of cases) {
      const e = parseError(text)
      expect(e.code, text).toBe('InvalidArgument')
      expect(e.message, text).toMatch(re)
      expect(e.message, text).toMatch(/position \d+/)
    }
    expect(parseError('price = 1.234').message).toMatch(/position 9/)
  })
})

describe('parseFilter: errors', () => {
  it('reports syntax errors with the position and what was expected', () => {
    const cases: Array<[string, RegExp]> = [
      ['year =', /expected a column or a value, found the end of the filter/],
      ['year 5', /expected a comparison .* at position 6/],
      ['(year = 1', /expected '\)' to close the parenthesis/],
      ['year = 1 year = 2', /expected AND, OR or the end of the filter.* at position 10/],
      ['year IN 1', /expected '\(' to open the IN list/],
      ['year IN (1 2)', /expected ',' or '\)' in the IN list/],
      ['year BETWEEN 1 OR 2', /expected AND/],
      ["name = 'abc", /unterminated string/],
      ['year = 1 AND', /expected a column or a value/],
      ['year NOT 5', /expected IN, BETWEEN or LIKE after NOT/],
      ['', /the filter is empty/],
      ['year # 1', /unexpected character '#'/],
      ['s. = 1', /expected a field name after '.'/],
      ["bytes = X'abc'", /even number of hex digits/],
      ['year IS 5', /expected NULL/],
    ]
    for (const [text, re] of cases) {
      const e = parseError(text)
      expect(e.code, text).toBe('InvalidArgument')
      expect(e.message, text).toMatch(re)
    }
  })

  it('refuses functions and arithmetic by name as unsupported', () => {
    const f = parseError("upper(name) = 'A'")
    expect(f.code).toBe('UnsupportedFeature')
    expect(f.message).toMatch(/function 'upper' is not supported in filters/)
    const a = parseError('year + 1 > 3')
    expect(a.code).toBe('UnsupportedFeature')
    expect(a.message).toMatch(/arithmetic \('\+'/)
    expect(parseError('year > 3 * 2').code).toBe('UnsupportedFeature')
    expect(parseError('-year > 3').code).toBe('UnsupportedFeature')
  })

  it('refuses LIKE on non-strings and comparisons of complex columns', () => {
    expect(parseError("year LIKE '1%'").message).toMatch(/LIKE works on string columns/)
    expect(parseError('name LIKE name').message).toMatch(/quoted pattern/)
    expect(parseError("tags = 'a'").message).toMatch(/cannot be compared|cannot compare/)
    expect(parseFilter('tags IS NULL', schema)).toMatchObject({ kind: 'isNull' })
    expect(parseError('year IN (value)').message).toMatch(/IN lists take literal values/)
  })
})

describe('formatExpr round trip', () => {
  const filters = [
    'year = 2024 AND value > 3',
    'year = 1 OR NOT (year = 2) AND value < 3',
    "name = 'it''s' OR name LIKE 'a\\%b_%' OR name NOT LIKE '%z'",
    'price BETWEEN -1.5 AND 99999999.99',
    'ratio > 1e21 OR ratio < -0.0 OR ratio = \'NaN\' OR ratio != \'-Infinity\'',
    "day >= DATE '2024-02-29' AND ts < TIMESTAMP '2021-09-08 11:11:11.123456' AND ntz = '0001-01-01 00:00:00'",
    'value IN (1, 2, -9223372036854775808, NULL) AND year NOT IN (3)',
    "bytes = X'00ff' AND flag AND NOT flag",
    "`my col` = 'x' AND `x.y` = 1 AND s.a.b IS NOT NULL AND `date` = '2020-01-01'",
    'year < value AND TRUE AND NOT (NOT (year = 1))',
    'tags IS NULL OR year IN ()',
  ]
  for (const text of filters) {
    it(`keeps the tree: ${text}`, () => {
      const e = parseFilter(text, schema)
      const again = parseFilter(formatExpr(e), schema)
      expect(again).toEqual(e)
      expect(formatExpr(again)).toBe(formatExpr(e))
    })
  }

  it('formats programmatic trees built with the helpers', () => {
    const e: Expr = and(gt(lit(5n, 'long'), c.value), or(eq(c.name, lit("o'k", 'string')), isNotNull(c.ts)))
    expect(formatExpr(e)).toBe("value < 5 AND (name = 'o''k' OR ts IS NOT NULL)")
    expect(parseFilter(formatExpr(e), schema)).toEqual(e)
  })
})

import {
  Bool, DateDay, Decimal, Dictionary, Field, Float32, Float64, Int32, Int64, LargeUtf8, Struct, Table, TimestampMicrosecond,
  TimestampMillisecond, Utf8, makeData, makeVector, vectorFromArray, type DataType, type Vector,
} from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { isDeltaError } from '../../../../src/delta/engine/errors.js'
import { evaluateFilter, parseFilter } from '../../../../src/delta/expr/index.js'
import type { DeltaType, StructType } from '../../../../src/delta/model/schema.js'

const field = (name: string, type: DeltaType) => ({ name, type, nullable: true, metadata: {} })

/** A null bitmap (1 = valid) for the given values. */
function validity(values: readonly unknown[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8) + 8)
  let nullCount = 0
  values.forEach((v, i) => {
    if (v === null) nullCount++
    else nullBitmap[i >> 3]! |= 1 << (i & 7)
  })
  return { nullBitmap, nullCount }
}

/** A vector of 64-bit values (Int64 or timestamps) built from exact bigints, nulls included. */
function bigintVector<T extends DataType>(type: T, values: Array<bigint | null>): Vector<T> {
  const data = new BigInt64Array(values.map((v) => v ?? 0n))
  return makeVector(makeData({ type, length: values.length, data, ...validity(values) } as never)) as Vector<T>
}

/** A Decimal128 vector from unscaled bigints. */
function decimalVector(scale: number, precision: number, values: Array<bigint | null>): Vector<Decimal> {
  const words = new Uint32Array(values.length * 4)
  values.forEach((v, i) => {
    const u = BigInt.asUintN(128, v ?? 0n)
    for (let w = 0; w < 4; w++) words[i * 4 + w] = Number((u >> BigInt(32 * w)) & 0xffffffffn)
  })
  const type = new Decimal(scale, precision, 128)
  return makeVector(makeData({ type, length: values.length, data: words, ...validity(values) }))
}

function mask(filter: string, table: Table, schema: StructType): number[] {
  return Array.from(evaluateFilter(parseFilter(filter, schema), table))
}

/** Row indexes the filter keeps. */
function rows(filter: string, table: Table, schema: StructType): number[] {
  return mask(filter, table, schema).flatMap((m, i) => (m ? [i] : []))
}

describe('evaluateFilter: three-valued logic over nulls', () => {
  const schema: StructType = { type: 'struct', fields: [field('x', 'integer'), field('flag', 'boolean')] }
  const table = new Table({
    x: vectorFromArray([1, 2, null, 4, 5], new Int32()),
    flag: vectorFromArray([true, null, false, true, null], new Bool()),
  })

  it('keeps only rows where the filter is TRUE', () => {
    expect(rows('x > 2', table, schema)).toEqual([3, 4])
    expect(rows('NOT (x > 2)', table, schema)).toEqual([0, 1])
    expect(rows('x > 2 OR x < 2', table, schema)).toEqual([0, 3, 4])
    expect(rows('x IS NULL', table, schema)).toEqual([2])
    expect(rows('x IS NOT NULL AND x != 4', table, schema)).toEqual([0, 1, 4])
  })

  it('follows SQL for IN and NOT IN with NULLs', () => {
    expect(rows('x IN (1, 5)', table, schema)).toEqual([0, 4])
    expect(rows('x IN (1, NULL)', table, schema)).toEqual([0])
    expect(rows('x NOT IN (1)', table, schema)).toEqual([1, 3, 4])
    expect(rows('x NOT IN (1, NULL)', table, schema)).toEqual([])
    expect(rows('x IN ()', table, schema)).toEqual([])
  })

  it('evaluates boolean columns, OR with NULL, and constants', () => {
    expect(rows('flag', table, schema)).toEqual([0, 3])
    expect(rows('NOT flag', table, schema)).toEqual([2])
    expect(rows('flag OR x = 2', table, schema)).toEqual([0, 1, 3])
    expect(rows('NOT (flag AND x > 10)', table, schema)).toEqual([0, 1, 2, 3, 4])
    expect(rows('NOT (flag AND x > 1)', table, schema)).toEqual([0, 2])
    expect(rows('TRUE', table, schema)).toEqual([0, 1, 2, 3, 4])
    expect(rows('NULL OR x = 1', table, schema)).toEqual([0])
    expect(rows('x = NULL', table, schema)).toEqual([])
    expect(rows('1 < 2 AND x = 1', table, schema)).toEqual([0])
    expect(rows('1.5 = 1', table, schema)).toEqual([])
  })

  it('is exact at BETWEEN edges', () => {
    expect(rows('x BETWEEN 2 AND 4', table, schema)).toEqual([1, 3])
    expect(rows('x NOT BETWEEN 2 AND 4', table, schema)).toEqual([0, 4])
  })
})

describe('evaluateFilter: exact values per Arrow type', () => {
  it('compares Int64 beyond 2^53 and negatives exactly', () => {
    const big = 2n ** 53n
    const values = [big + 1n, big, -1n, -(2n ** 63n), 2n ** 63n - 1n, null, 0n, -(2n ** 32n), 2n ** 32n]
    const table = new Table({ v: bigintVector(new Int64(), values) })
    const schema: StructType = { type: 'struct', fields: [field('v', 'long')] }
    expect(rows('v = 9007199254740993', table, schema)).toEqual([0])
    expect(rows('v > 9007199254740992', table, schema)).toEqual([0, 4])
    expect(rows('v < 0', table, schema)).toEqual([2, 3, 7])
    expect(rows('v <= -4294967296', table, schema)).toEqual([3, 7])
    expect(rows('v >= 4294967296', table, schema)).toEqual([0, 1, 4, 8])
    expect(rows('v IN (-1, 4294967296)', table, schema)).toEqual([2, 8])
  })

  it('compares microsecond timestamps from the raw buffers, not the lossy get()', () => {
    const base = 1631070400000000n // 2021-09-08T03:06:40Z
    const table = new Table({
      ts: bigintVector(new TimestampMicrosecond(), [base, base + 1n, base - 1n, null, -1n, -86_400_000_001n]),
      ntz: bigintVector(new TimestampMicrosecond(), [0n, 1n, 999n, 1000n, null, -1n]),
    })
    const schema: StructType = { type: 'struct', fields: [field('ts', 'timestamp'), field('ntz', 'timestamp_ntz')] }
    expect(rows("ts > TIMESTAMP '2021-09-08T03:06:40Z'", table, schema)).toEqual([1])
    expect(rows("ts = '2021-09-08 03:06:40.000001'", table, schema)).toEqual([1])
    expect(rows("ts < '1970-01-01'", table, schema)).toEqual([4, 5])
    expect(rows("ts < '1969-12-31 00:00:00'", table, schema)).toEqual([5])
    expect(rows("ntz BETWEEN '1970-01-01 00:00:00.000001' AND '1970-01-01 00:00:00.000999'", table, schema)).toEqual([1, 2])
    expect(rows("ts IN ('2021-09-08T03:06:39.999999Z')", table, schema)).toEqual([2])
  })

  it('reads other timestamp units exactly as microseconds', () => {
    const table = new Table({ ts: bigintVector(new TimestampMillisecond(), [1n, 2n, null]) })
    const schema: StructType = { type: 'struct', fields: [field('ts', 'timestamp')] }
    expect(rows("ts = '1970-01-01 00:00:00.002'", table, schema)).toEqual([1])
    expect(rows("ts > '1970-01-01 00:00:00.001'", table, schema)).toEqual([1])
  })

  it('compares Decimal128 from its 32-bit words, beyond 64 bits and negative', () => {
    const huge = 10n ** 30n
    const table = new Table({ d: decimalVector(2, 38, [150n, -1n, huge, -huge, null, 0n, 2n ** 64n]) })
    const schema: StructType = { type: 'struct', fields: [field('d', 'decimal(38,2)')] }
    expect(rows('d = 1.50', table, schema)).toEqual([0])
    expect(rows('d = -0.01', table, schema)).toEqual([1])
    expect(rows('d > 1', table, schema)).toEqual([0, 2, 6])
    expect(rows('d <= -1e-2', table, schema)).toEqual([1, 3])
    expect(rows('d >= 10000000000000000000000000000', table, schema)).toEqual([2])
    expect(rows('d IN (0, 184467440737095516.16)', table, schema)).toEqual([5, 6])
  })

  it('compares doubles with Spark semantics: NaN is largest and equals NaN, -0 equals 0', () => {
    const table = new Table({
      f: vectorFromArray([1, NaN, -0, 0, null, -Infinity, Infinity], new Float64()),
      g: vectorFromArray([0.5, NaN, 2, null, 1, 1, 1], new Float32()),
    })
    const schema: StructType = { type: 'struct', fields: [field('f', 'double'), field('g', 'float')] }
    expect(rows('f > 1', table, schema)).toEqual([1, 6])
    expect(rows("f = 'NaN'", table, schema)).toEqual([1])
    expect(rows("f < 'NaN'", table, schema)).toEqual([0, 2, 3, 5, 6])
    expect(rows('f = 0', table, schema)).toEqual([2, 3])
    expect(rows("f IN ('NaN', 0)", table, schema)).toEqual([1, 2, 3])
    expect(rows('g >= 1', table, schema)).toEqual([1, 2, 4, 5, 6])
    expect(rows('g = 0.5', table, schema)).toEqual([0])
    expect(rows('f < g', table, schema)).toEqual([2, 5])
  })

  it('compares strings by code point (UTF-8 byte order) in plain, large and dictionary columns', () => {
    const values = ['a', 'b', '\uFFFD', '😀', null, '', 'ab']
    const table = new Table({
      s: vectorFromArray(values, new Utf8()),
      l: vectorFromArray(values, new LargeUtf8()),
      d: vectorFromArray(values, new Dictionary(new Utf8(), new Int32())),
    })
    const schema: StructType = { type: 'struct', fields: [field('s', 'string'), field('l', 'string'), field('d', 'string')] }
    for (const c of ['s', 'l', 'd']) {
      expect(rows(`${c} > '\uFFFD'`, table, schema), c).toEqual([3])
      expect(rows(`${c} < 'ab'`, table, schema), c).toEqual([0, 5])
      expect(rows(`${c} = ''`, table, schema), c).toEqual([5])
      expect(rows(`${c} IS NULL`, table, schema), c).toEqual([4])
      expect(rows(`${c} IN ('b', '😀')`, table, schema), c).toEqual([1, 3])
      expect(rows(`${c} LIKE 'a%'`, table, schema), c).toEqual([0, 6])
      expect(rows(`${c} LIKE '_'`, table, schema), c).toEqual([0, 1, 2, 3])
      expect(rows(`${c} NOT LIKE '%b'`, table, schema), c).toEqual([0, 2, 3, 5])
    }
    expect(rows('s = l AND l = d', table, schema)).toEqual([0, 1, 2, 3, 5, 6])
  })

  it('matches LIKE escapes and regex metacharacters literally', () => {
    const table = new Table({ s: vectorFromArray(['100%', '100x', 'a.c', 'abc', 'a_c', 'A\nB', '(x)'], new Utf8()) })
    const schema: StructType = { type: 'struct', fields: [field('s', 'string')] }
    expect(rows("s LIKE '100\\%'", table, schema)).toEqual([0])
    expect(rows("s LIKE 'a.c'", table, schema)).toEqual([2])
    expect(rows("s LIKE 'a\\_c'", table, schema)).toEqual([4])
    expect(rows("s LIKE 'A%B'", table, schema)).toEqual([5])
    expect(rows("s LIKE '(%)'", table, schema)).toEqual([6])
  })

  it('compares dates, booleans and binary', () => {
    const table = new Table({
      day: vectorFromArray([new Date(0), new Date(86_400_000), null, new Date(-86_400_000)], new DateDay()),
      b: vectorFromArray([true, false, null, true], new Bool()),
    })
    const schema: StructType = { type: 'struct', fields: [field('day', 'date'), field('b', 'boolean')] }
    expect(rows("day >= '1970-01-01'", table, schema)).toEqual([0, 1])
    expect(rows("day = DATE '1969-12-31'", table, schema)).toEqual([3])
    expect(rows('b = FALSE', table, schema)).toEqual([1])
    expect(rows('b != TRUE OR day IS NULL', table, schema)).toEqual([1, 2])
  })
})

describe('evaluateFilter: layout', () => {
  it('reads nested struct fields, a null parent making the field null', () => {
    const inner = new Struct([new Field('b', new Int64(), true)])
    const outer = new Struct([new Field('a', inner, true), new Field('c', new Utf8(), true)])
    const bData = bigintVector(new Int64(), [1n, 2n, null, 4n]).data[0]!
    const aData = makeData({ type: inner, length: 4, children: [bData], ...validity([1, null, 1, 1]) })
    const cData = vectorFromArray(['p', 'q', 'r', null], new Utf8()).data[0]!
    const sData = makeData({ type: outer, length: 4, children: [aData, cData], ...validity([1, 1, 1, null]) })
    const table = new Table({ s: makeVector(sData) })
    const schema: StructType = {
      type: 'struct',
      fields: [field('s', { type: 'struct', fields: [field('a', { type: 'struct', fields: [field('b', 'long')] }), field('c', 'string')] })],
    }
    expect(rows('s.a.b >= 1', table, schema)).toEqual([0])
    expect(rows('s.a.b IS NULL', table, schema)).toEqual([1, 2, 3])
    expect(rows("s.c = 'q' OR s.c IS NULL", table, schema)).toEqual([1, 3])
    expect(rows('s IS NULL', table, schema)).toEqual([3])
  })

  it('evaluates across record batches and slices', () => {
    const schema: StructType = { type: 'struct', fields: [field('x', 'integer'), field('y', 'long')] }
    const t1 = new Table({ x: vectorFromArray([1, 2, 3], new Int32()), y: bigintVector(new Int64(), [3n, 2n, 1n]) })
    const t2 = new Table({ x: vectorFromArray([4, null], new Int32()), y: bigintVector(new Int64(), [null, 9n]) })
    const table = t1.concat(t2)
    expect(table.batches.length).toBe(2)
    expect(rows('x >= 2 AND x <= 4', table, schema)).toEqual([1, 2, 3])
    expect(rows('x < y', table, schema)).toEqual([0])
    expect(rows('x <= y OR y IS NULL', table, schema)).toEqual([0, 1, 3])
    const sliced = table.slice(1, 4)
    expect(rows('x > 2', sliced, schema)).toEqual([1, 2])
    expect(rows('y < 3', sliced, schema)).toEqual([0, 1])
  })

  it('evaluates large tables through the fast paths like the row-by-row semantics', () => {
    const n = 100_000
    const xs = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? null : (i * 7919) % 1000))
    const table = new Table({ x: vectorFromArray(xs, new Int32()), s: vectorFromArray(xs.map((v) => (v === null ? null : `k${v}`)), new Utf8()) })
    const schema: StructType = { type: 'struct', fields: [field('x', 'integer'), field('s', 'string')] }
    const m = evaluateFilter(parseFilter("x >= 500 AND s < 'k6'", schema), table)
    let expected = 0
    xs.forEach((v, i) => {
      const want = v !== null && v >= 500 && `k${v}` < 'k6' ? 1 : 0
      expected += want
      if (m[i] !== want) throw new Error(`row ${i}: ${m[i]} != ${want}`)
    })
    expect(m.reduce((a, b) => a + b, 0)).toBe(expected)
  })

  it('fails with SchemaMismatch when the table lacks a filter column', () => {
    const schema: StructType = { type: 'struct', fields: [field('x', 'integer'), field('z', 'integer')] }
    const table = new Table({ x: vectorFromArray([1], new Int32()) })
    let err: unknown
    try {
      evaluateFilter(parseFilter('z = 1', schema), table)
    } catch (e) {
      err = e
    }
    expect(isDeltaError(err, 'SchemaMismatch')).toBe(true)
    expect(String(err)).toMatch(/'z'/)
  })

  it('returns an empty mask for an empty table', () => {
    const schema: StructType = { type: 'struct', fields: [field('x', 'integer')] }
    const table = new Table({ x: vectorFromArray([], new Int32()) })
    expect(evaluateFilter(parseFilter('x = 1', schema), table)).toEqual(new Uint8Array(0))
  })
})

import {
  Binary, Bool, DateDay, DateMillisecond, Decimal, Dictionary, Field, FixedSizeBinary, Float32, Int32, Int64, LargeUtf8, List,
  Map_, Struct, Table, TimestampMicrosecond, TimestampNanosecond, TimestampSecond, Uint64, Utf8, makeData,
  vectorFromArray, type Data, type DataType,
} from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { arrowToPlain, dataToPlain, formatDate, formatDecimal, formatTimestamp, plainRows, vectorToPlain } from '../../../src/delta/arrow/index.js'

function bits(values: readonly unknown[]): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 8) + 1)
  values.forEach((v, i) => { if (v !== null) out[i >> 3]! |= 1 << (i & 7) })
  return out
}

function bigData(type: DataType, values: (bigint | null)[]): Data {
  return makeData({ type, data: BigInt64Array.from(values, (v) => v ?? 0n), nullBitmap: bits(values), length: values.length } as never)
}

describe('formatting helpers', () => {
  it('formats dates at the edges of the calendar', () => {
    expect(formatDate(0)).toBe('1970-01-01')
    expect(formatDate(-1)).toBe('1969-12-31')
    expect(formatDate(11016)).toBe('2000-02-29')
    expect(formatDate(-719162)).toBe('0001-01-01')
    expect(formatDate(2932896)).toBe('9999-12-31')
    expect(formatDate(-719163)).toBe('0000-12-31')
  })

  it('formats timestamps to the microsecond, before 1970 too', () => {
    expect(formatTimestamp(0n, true)).toBe('1970-01-01T00:00:00.000000Z')
    expect(formatTimestamp(-1n, true)).toBe('1969-12-31T23:59:59.999999Z')
    expect(formatTimestamp(253402300799999999n, false)).toBe('9999-12-31T23:59:59.999999')
    expect(formatTimestamp(-62135596800000000n, true)).toBe('0001-01-01T00:00:00.000000Z')
    expect(formatTimestamp(1700000000123456n, true)).toBe('2023-11-14T22:13:20.123456Z')
  })

  it('formats decimals exactly', () => {
    expect(formatDecimal(12345n, 2)).toBe('123.45')
    expect(formatDecimal(-5n, 2)).toBe('-0.05')
    expect(formatDecimal(0n, 3)).toBe('0.000')
    expect(formatDecimal(-(10n ** 38n - 1n), 0)).toBe('-99999999999999999999999999999999999999')
    expect(formatDecimal(10n ** 38n - 1n, 38)).toBe('0.99999999999999999999999999999999999999')
  })
})

describe('dataToPlain', () => {
  it('gives Int64 as numbers when exact, else bigint', () => {
    const v = vectorFromArray([2n ** 53n, -(2n ** 53n), 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, null, 7n], new Int64())
    expect(vectorToPlain(v)).toEqual([2 ** 53, -(2 ** 53), 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, null, 7])
    const u = makeData({ type: new Uint64(), data: BigUint64Array.from([2n ** 64n - 1n, 3n]), length: 2 })
    expect(dataToPlain(u)).toEqual([2n ** 64n - 1n, 3])
  })

  it('gives primitives as JavaScript values', () => {
    expect(vectorToPlain(vectorFromArray([1, null, -3], new Int32()))).toEqual([1, null, -3])
    expect(vectorToPlain(vectorFromArray([0.5, null], new Float32()))).toEqual([0.5, null])
    expect(vectorToPlain(vectorFromArray([true, false, null], new Bool()))).toEqual([true, false, null])
    expect(vectorToPlain(vectorFromArray(['a', null, '', 'ü'], new Utf8()))).toEqual(['a', null, '', 'ü'])
    expect(vectorToPlain(vectorFromArray(['x', null], new LargeUtf8()))).toEqual(['x', null])
  })

  it('gives binary as copies, not views of the column', () => {
    const v = vectorFromArray([Uint8Array.from([1, 2]), null], new Binary())
    const [first] = vectorToPlain(v) as Uint8Array[]
    expect(first).toEqual(Uint8Array.from([1, 2]))
    first![0] = 99
    expect(v.get(0)![0]).toBe(1)
    expect(vectorToPlain(vectorFromArray([Uint8Array.from([5, 6])], new FixedSizeBinary(2)))).toEqual([Uint8Array.from([5, 6])])
  })

  it('gives dates and timestamps as ISO text, exact at the microsecond', () => {
    const days = makeData({ type: new DateDay(), data: Int32Array.from([-1, 0, 2932896]), length: 3 })
    expect(dataToPlain(days)).toEqual(['1969-12-31', '1970-01-01', '9999-12-31'])
    expect(dataToPlain(bigData(new DateMillisecond(), [-1n, null]))).toEqual(['1969-12-31', null])
    expect(dataToPlain(bigData(new TimestampMicrosecond('UTC'), [-1n, null]))).toEqual(['1969-12-31T23:59:59.999999Z', null])
    expect(dataToPlain(bigData(new TimestampMicrosecond(null), [1n]))).toEqual(['1970-01-01T00:00:00.000001'])
    expect(dataToPlain(bigData(new TimestampNanosecond('UTC'), [-1n, 1999n]))).toEqual(['1969-12-31T23:59:59.999999Z', '1970-01-01T00:00:00.000001Z'])
    expect(dataToPlain(bigData(new TimestampSecond('UTC'), [-1n]))).toEqual(['1969-12-31T23:59:59.000000Z'])
  })

  it('gives decimals as exact text with the scale digits', () => {
    const values = [10n ** 38n - 1n, -(10n ** 38n - 1n), -5n, null]
    const words = new Uint32Array(16)
    values.forEach((v, i) => {
      let x = BigInt.asUintN(128, v ?? 0n)
      for (let k = 0; k < 4; k++, x >>= 32n) words[4 * i + k] = Number(x & 0xffffffffn)
    })
    const d = makeData({ type: new Decimal(2, 38, 128), data: words, nullBitmap: bits(values), length: 4 })
    expect(dataToPlain(d)).toEqual(['999999999999999999999999999999999999.99', '-999999999999999999999999999999999999.99', '-0.05', null])
  })

  it('gives structs as objects, lists as arrays, maps as objects keyed by String(key)', () => {
    const mapType = new Map_(new Field('entries', new Struct<{ key: DataType; value: DataType }>([new Field('key', new Int32(), false), new Field('value', new Utf8())]), false))
    const type = new Struct([
      new Field('l', new List(new Field('item', new Int32()))),
      new Field('m', mapType),
      new Field('s', new Struct([new Field('x', new Utf8())])),
    ])
    const v = vectorFromArray([
      { l: [1, null], m: new Map([[1, 'a'], [2, null]]), s: { x: 'p' } },
      null,
      { l: [], m: new Map(), s: null },
      { l: null, m: null, s: { x: null } },
    ], type)
    expect(vectorToPlain(v)).toEqual([
      { l: [1, null], m: { 1: 'a', 2: null }, s: { x: 'p' } },
      null,
      { l: [], m: {}, s: null },
      { l: null, m: null, s: { x: null } },
    ])
  })

  it('makes a __proto__ key an own property, never the prototype', () => {
    const mapType = new Map_(new Field('entries', new Struct<{ key: DataType; value: DataType }>([new Field('key', new Utf8(), false), new Field('value', new Utf8())]), false))
    const [row] = vectorToPlain(vectorFromArray([new Map([['__proto__', 'x']])], mapType)) as Record<string, unknown>[]
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype)
    expect(Object.keys(row!)).toEqual(['__proto__'])
    const structType = new Struct([new Field('__proto__', new Utf8())])
    const [s] = vectorToPlain(vectorFromArray([{ ['__proto__']: 'y' }], structType)) as Record<string, unknown>[]
    expect(Object.getPrototypeOf(s)).toBe(Object.prototype)
    expect(Object.getOwnPropertyDescriptor(s, '__proto__')?.value).toBe('y')
  })

  it('reads sliced data, mostly-null structs and dictionaries', () => {
    const type = new Struct([new Field('a', new Int32()), new Field('b', new List(new Field('item', new Utf8())))])
    const values = Array.from({ length: 40 }, (_, i) => (i % 9 === 0 ? { a: i, b: [`v${i}`, null] } : null))
    const v = vectorFromArray(values, type)
    expect(vectorToPlain(v)).toEqual(values)
    expect(vectorToPlain(v.slice(5, 30))).toEqual(values.slice(5, 30))
    const dict = vectorFromArray(['b', null, 'a', 'b'], new Dictionary(new Utf8(), new Int32()))
    expect(vectorToPlain(dict.slice(1))).toEqual([null, 'a', 'b'])
  })

  it('keeps strings exact: non-ASCII, a leading BOM, repeats and long values', () => {
    const values = ['\uFEFFbom', 'naïve', 'same', 'same', '😀', 'x'.repeat(5000), 'same', '', null]
    const v = vectorFromArray(values, new Utf8())
    expect(vectorToPlain(v)).toEqual(values)
    expect(vectorToPlain(v.slice(2))).toEqual(values.slice(2))
  })

  it('decodes strings spanning many decode groups', () => {
    const values = Array.from({ length: 3000 }, (_, i) => (i % 1000 === 999 ? `ü${i}` : `${i}`.repeat(200)))
    expect(vectorToPlain(vectorFromArray(values, new Utf8()))).toEqual(values)
  })
})

describe('arrowToPlain', () => {
  it('gives one plain object per row across batches', () => {
    const a = new Table({ n: vectorFromArray([1, 2], new Int32()), s: vectorFromArray(['x', null], new Utf8()) })
    const b = new Table({ n: vectorFromArray([3], new Int32()), s: vectorFromArray(['z'], new Utf8()) })
    const rows = arrowToPlain(a.concat(b))
    expect(rows).toEqual([{ n: 1, s: 'x' }, { n: 2, s: null }, { n: 3, s: 'z' }])
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype)
    expect(arrowToPlain(new Table())).toEqual([])
  })

  it('streams the same rows one at a time with plainRows', () => {
    const t = new Table({ n: vectorFromArray([1, 2, 3], new Int32()), s: vectorFromArray(['x', null, 'z'], new Utf8()) })
    const it = plainRows(t)
    expect(it.next().value).toEqual({ n: 1, s: 'x' })
    expect([...it]).toEqual(arrowToPlain(t).slice(1))
  })
})

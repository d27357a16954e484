import {
  Binary, BinaryView, Bool, DateDay, DateMillisecond, Decimal, Dictionary, Field, FixedSizeBinary, Float32, Float64,
  Int16, Int32, Int64, Int8, LargeBinary, LargeUtf8, Null, RecordBatch, Schema, Struct, Table, TimestampMicrosecond,
  TimestampMillisecond, TimestampNanosecond, TimestampSecond, Uint32, Utf8, Utf8View, makeData, vectorFromArray,
  type Data, type DataType, type Timestamp,
} from 'apache-arrow'
import { describe, expect, it } from 'vitest'
import { conformTable, dataToPlain } from '../../../src/delta/arrow/index.js'
import { isDeltaError } from '../../../src/delta/engine/errors.js'
import type { DeltaType } from '../../../src/delta/model/schema.js'

const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const MAX38 = 10n ** 38n - 1n

function bitmapOf(values: readonly unknown[]): Uint8Array {
  const bits = new Uint8Array(Math.ceil(values.length / 8) + 1)
  values.forEach((v, i) => { if (v !== null) bits[i >> 3]! |= 1 << (i & 7) })
  return bits
}

/** Decimal data of any width from unscaled bigints, written word by word. */
function decimalData(values: (bigint | null)[], precision: number, scale: number, bitWidth = 128): Data {
  const stride = bitWidth / 32
  const words = new Uint32Array(values.length * stride)
  values.forEach((v, i) => {
    let x = BigInt.asUintN(bitWidth, v ?? 0n)
    for (let k = 0; k < stride; k++, x >>= 32n) words[i * stride + k] = Number(x & 0xffffffffn)
  })
  return makeData({ type: new Decimal(scale, precision, bitWidth), data: words, nullBitmap: bitmapOf(values), length: values.length })
}

function bigData<T extends DataType>(type: T, values: (bigint | null)[]): Data {
  return makeData({ type, data: BigInt64Array.from(values, (v) => v ?? 0n), nullBitmap: bitmapOf(values), length: values.length } as never)
}

function int32Data<T extends DataType>(type: T, values: (number | null)[]): Data {
  return makeData({ type, data: Int32Array.from(values, (v) => v ?? 0), nullBitmap: bitmapOf(values), length: values.length } as never)
}

/** Conform a one-column file to one Delta column named `c` and return the output Data. */
function cast(data: Data, to: DeltaType): Data {
  const schema = new Schema([new Field('c', data.type, true)])
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: data.length, nullCount: 0, children: [data] }))
  const out = conformTable(new Table([batch]), { type: 'struct', fields: [{ name: 'c', type: to, nullable: true, metadata: {} }] }, { columnMapping: 'none' })
  expect(out.numRows).toBe(data.length)
  return out.getChild('c')!.data[0]!
}

/** Raw row values of fixed-width output, null where invalid: exact, no getter conversions. */
function raw(data: Data): unknown[] {
  const values = data.values as ArrayLike<unknown>
  return Array.from({ length: data.length }, (_, i) => (data.getValid(i) ? values[i] : null))
}

function expectInvalidData(f: () => unknown, ...parts: string[]): void {
  let err: unknown
  try {
    f()
  } catch (e) {
    err = e
  }
  expect(isDeltaError(err, 'InvalidData'), String(err)).toBe(true)
  for (const p of parts) expect((err as Error).message).toContain(p)
}

describe('integers', () => {
  it('passes a long through without copying', () => {
    const src = vectorFromArray([INT64_MIN, null, INT64_MAX], new Int64()).data[0]!
    const out = cast(src, 'long')
    expect(out.values).toBe(src.values)
    expect(raw(out)).toEqual([INT64_MIN, null, INT64_MAX])
  })

  it('narrows Parquet INT32 to byte and short', () => {
    expect(raw(cast(vectorFromArray([-128, 127, null], new Int32()).data[0]!, 'byte'))).toEqual([-128, 127, null])
    const out = cast(vectorFromArray([-32768, 32767], new Int32()).data[0]!, 'short')
    expect(String(out.type)).toBe('Int16')
    expect(raw(out)).toEqual([-32768, 32767])
  })

  it('refuses a value out of range, naming the column, but not under a null', () => {
    expectInvalidData(() => cast(vectorFromArray([1, 128], new Int32()).data[0]!, 'byte'), "'c'", 'Int32', 'byte')
    // A null slot may hold anything.
    const garbage = makeData({ type: new Int32(), data: Int32Array.from([5, 99999]), nullBitmap: Uint8Array.from([1]), length: 2 })
    expect(raw(cast(garbage, 'byte'))).toEqual([5, null])
  })

  it('widens byte, short, int and unsigned ints to long exactly', () => {
    expect(raw(cast(vectorFromArray([-128, null, 127], new Int8()).data[0]!, 'long'))).toEqual([-128n, null, 127n])
    expect(raw(cast(vectorFromArray([-32768, 32767], new Int16()).data[0]!, 'long'))).toEqual([-32768n, 32767n])
    expect(raw(cast(vectorFromArray([-(2 ** 31), 2 ** 31 - 1, -1, 0], new Int32()).data[0]!, 'long'))).toEqual([-(2n ** 31n), 2n ** 31n - 1n, -1n, 0n])
    expect(raw(cast(vectorFromArray([4294967295, 7], new Uint32()).data[0]!, 'long'))).toEqual([4294967295n, 7n])
  })

  it('widens int to integer only from narrower ints and refuses long -> integer overflow', () => {
    expect(raw(cast(vectorFromArray([-5, 6], new Int16()).data[0]!, 'integer'))).toEqual([-5, 6])
    expect(raw(cast(vectorFromArray([-(2n ** 31n)], new Int64()).data[0]!, 'integer'))).toEqual([-(2 ** 31)])
    expectInvalidData(() => cast(vectorFromArray([2n ** 31n], new Int64()).data[0]!, 'integer'), 'out of range')
  })

  it('refuses a string as a long', () => {
    expectInvalidData(() => cast(vectorFromArray(['1'], new Utf8()).data[0]!, 'long'), "'c'", 'Utf8', 'long')
  })
})

describe('floats', () => {
  it('widens float to double exactly and passes doubles through', () => {
    const f = vectorFromArray([3.4, null, -0.1], new Float32()).data[0]!
    expect(raw(cast(f, 'double'))).toEqual([Math.fround(3.4), null, Math.fround(-0.1)])
    const d = vectorFromArray([1.5], new Float64()).data[0]!
    expect(cast(d, 'double').values).toBe(d.values)
  })

  it('widens byte, short and int to double', () => {
    expect(raw(cast(vectorFromArray([-(2 ** 31), 5], new Int32()).data[0]!, 'double'))).toEqual([-(2 ** 31), 5])
    expect(raw(cast(vectorFromArray([-3], new Int8()).data[0]!, 'double'))).toEqual([-3])
  })

  it('refuses to narrow double to float or read a long as double', () => {
    expectInvalidData(() => cast(vectorFromArray([1.5], new Float64()).data[0]!, 'float'), 'Float64', 'float')
    expectInvalidData(() => cast(vectorFromArray([1n], new Int64()).data[0]!, 'double'), 'Int64', 'double')
  })
})

describe('decimals', () => {
  const text = (d: Data) => dataToPlain(d)

  it('passes decimal(38,s) extremes through unchanged', () => {
    const src = decimalData([MAX38, -MAX38, null, 0n], 38, 10)
    const out = cast(src, 'decimal(38,10)')
    expect(out.values).toBe(src.values)
    expect(text(out)).toEqual(['9999999999999999999999999999.9999999999', '-9999999999999999999999999999.9999999999', null, '0.0000000000'])
  })

  it('rescales to a larger scale and precision exactly', () => {
    const out = cast(decimalData([12345n, -6789n, null], 10, 2), 'decimal(20,5)')
    expect(text(out)).toEqual(['123.45000', '-67.89000', null])
    const wide = cast(decimalData([10n ** 16n - 1n, -(10n ** 16n - 1n)], 18, 2), 'decimal(38,22)')
    expect(text(wide)).toEqual(['99999999999999.9900000000000000000000', '-99999999999999.9900000000000000000000'])
  })

  it('keeps decimal(38,0) extremes when only the scale bookkeeping changes width', () => {
    const out = cast(decimalData([MAX38, -MAX38], 38, 0, 256), 'decimal(38,0)')
    expect(String(out.type)).toBe(String(new Decimal(0, 38, 128)))
    expect(text(out)).toEqual([String(MAX38), String(-MAX38)])
  })

  it('reads 32- and 64-bit decimals', () => {
    expect(text(cast(decimalData([-12345n, 999999999n], 9, 2, 32), 'decimal(9,2)'))).toEqual(['-123.45', '9999999.99'])
    expect(text(cast(decimalData([INT64_MIN], 18, 0, 64), 'decimal(38,0)'))).toEqual([String(INT64_MIN)])
  })

  it('refuses a value with too many digits and a lossy scale cut', () => {
    expectInvalidData(() => cast(decimalData([MAX38], 38, 0), 'decimal(38,1)'), 'digits')
    expectInvalidData(() => cast(decimalData([12345n], 10, 2), 'decimal(10,1)'), 'lose digits')
    expect(text(cast(decimalData([12340n], 10, 2), 'decimal(10,1)'))).toEqual(['123.4'])
  })

  it('widens integers to decimal by scaling (type widening)', () => {
    expect(text(cast(vectorFromArray([1, -2, null], new Int8()).data[0]!, 'decimal(4,1)'))).toEqual(['1.0', '-2.0', null])
    expect(text(cast(vectorFromArray([INT64_MAX, INT64_MIN], new Int64()).data[0]!, 'decimal(21,1)')))
      .toEqual(['9223372036854775807.0', '-9223372036854775808.0'])
  })

  it('reads big-endian unscaled bytes from FixedSizeBinary and Binary', () => {
    const fixed = vectorFromArray([Uint8Array.from([0x00, 0x30, 0x39]), Uint8Array.from([0xff, 0xcf, 0xc7]), null], new FixedSizeBinary(3)).data[0]!
    expect(text(cast(fixed, 'decimal(7,2)'))).toEqual(['123.45', '-123.45', null])
    const bin = vectorFromArray([Uint8Array.from([0x80]), Uint8Array.from([0x01, 0x00])], new Binary()).data[0]!
    expect(text(cast(bin, 'decimal(5,0)'))).toEqual(['-128', '256'])
  })
})

describe('timestamps and dates', () => {
  const micros = (d: Data) => raw(d)

  it('relabels microseconds with the target zone without copying', () => {
    const src = bigData(new TimestampMicrosecond(null), [1n, null])
    const out = cast(src, 'timestamp')
    expect(out.values).toBe(src.values)
    expect((out.type as Timestamp).timezone).toBe('UTC')
    const ntz = cast(bigData(new TimestampMicrosecond('UTC'), [1n]), 'timestamp_ntz')
    expect((ntz.type as Timestamp).timezone ?? null).toBe(null)
  })

  it('floor-divides nanoseconds, exact before 1970', () => {
    const src = bigData(new TimestampNanosecond('America/New_York'), [-1n, -1000n, -1001n, 1999n, INT64_MIN, INT64_MAX, null])
    const out = cast(src, 'timestamp')
    expect((out.type as Timestamp).timezone).toBe('UTC')
    expect(micros(out)).toEqual([-1n, -1n, -2n, 1n, -9223372036854776n, 9223372036854775n, null])
  })

  it('scales seconds and milliseconds up, refusing overflow', () => {
    expect(micros(cast(bigData(new TimestampMillisecond(), [-1n, 1700000000123n]), 'timestamp_ntz'))).toEqual([-1000n, 1700000000123000n])
    expect(micros(cast(bigData(new TimestampSecond(), [-1n, 253402300799n]), 'timestamp'))).toEqual([-1_000_000n, 253402300799_000_000n])
    expectInvalidData(() => cast(bigData(new TimestampSecond(), [INT64_MAX / 1000n]), 'timestamp'), 'overflows')
  })

  it('reads dates in days or milliseconds as days (floored)', () => {
    const days = int32Data(new DateDay(), [-719162, 0, null, 2932896])
    expect(cast(days, 'date').values).toBe(days.values)
    expect(raw(cast(bigData(new DateMillisecond(), [-1n, 86_400_000n, -86_400_000n]), 'date'))).toEqual([-1, 1, -1])
  })

  it('widens date to timestamp_ntz at midnight, but not to timestamp', () => {
    const days = int32Data(new DateDay(), [19975, -1, null])
    expect(micros(cast(days, 'timestamp_ntz'))).toEqual([19975n * 86_400_000_000n, -86_400_000_000n, null])
    expectInvalidData(() => cast(days, 'timestamp'), 'Date', 'timestamp')
  })
})

describe('strings and binaries', () => {
  const strs = ['', 'a', null, 'zwölf', 'a string longer than twelve bytes']

  it('passes Utf8 through and narrows LargeUtf8 and gathers Utf8View', () => {
    const utf8 = vectorFromArray(strs, new Utf8()).data[0]!
    expect(cast(utf8, 'string').values).toBe(utf8.values)
    for (const type of [new LargeUtf8(), new Utf8View()]) {
      const out = cast(vectorFromArray(strs, type as DataType).data[0]!, 'string')
      expect(String(out.type)).toBe('Utf8')
      expect(dataToPlain(out)).toEqual(strs)
    }
  })

  it('reads every binary layout as binary', () => {
    const bytes = [Uint8Array.from([1, 2]), null, new Uint8Array(0), Uint8Array.from({ length: 20 }, (_, i) => i)]
    for (const type of [new Binary(), new LargeBinary(), new BinaryView()]) {
      const out = cast(vectorFromArray(bytes, type as DataType).data[0]!, 'binary')
      expect(String(out.type)).toBe('Binary')
      expect(dataToPlain(out)).toEqual(bytes)
    }
    const fixed = vectorFromArray([Uint8Array.from([1, 2]), null, Uint8Array.from([3, 4])], new FixedSizeBinary(2)).data[0]!
    expect(dataToPlain(cast(fixed, 'binary'))).toEqual([Uint8Array.from([1, 2]), null, Uint8Array.from([3, 4])])
  })

  it('reads un-annotated binary as string and strings as binary', () => {
    const bin = vectorFromArray([new TextEncoder().encode('hé')], new Binary()).data[0]!
    expect(dataToPlain(cast(bin, 'string'))).toEqual(['hé'])
    expect(dataToPlain(cast(vectorFromArray(['A'], new Utf8()).data[0]!, 'binary'))).toEqual([Uint8Array.from([65])])
  })
})

describe('other encodings', () => {
  it('decodes dictionary-encoded columns, nulls kept', () => {
    const dict = vectorFromArray(['b', 'a', null, 'b'], new Dictionary(new Utf8(), new Int32())).data[0]!
    const out = cast(dict, 'string')
    expect(String(out.type)).toBe('Utf8')
    expect(dataToPlain(out)).toEqual(['b', 'a', null, 'b'])
    const ints = vectorFromArray([7, 7, null], new Dictionary(new Int32(), new Int8())).data[0]!
    expect(raw(cast(ints, 'long'))).toEqual([7n, 7n, null])
  })

  it('reads a Null column as nulls of the target type', () => {
    const out = cast(makeData({ type: new Null(), length: 3 }), 'decimal(10,2)')
    expect(String(out.type)).toBe(String(new Decimal(2, 10, 128)))
    expect(out.nullCount).toBe(3)
  })

  it('refuses a boolean from an int', () => {
    expectInvalidData(() => cast(vectorFromArray([1], new Int32()).data[0]!, 'boolean'), 'boolean')
    const b = vectorFromArray([true, null], new Bool()).data[0]!
    expect(dataToPlain(cast(b, 'boolean'))).toEqual([true, null])
  })
})

import {
  Binary,
  DataType,
  Bool,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  List,
  makeData,
  makeVector,
  Map_,
  Struct,
  Table,
  TimestampMicrosecond,
  Utf8,
  vectorFromArray,
  type Vector,
} from 'apache-arrow'

/** Unscaled decimal values as 128-bit little-endian words (Arrow's Decimal layout). */
function decimalVector(values: (bigint | null)[], precision: number, scale: number): Vector<Decimal> {
  const words = new Uint32Array(values.length * 4)
  const valid = new Uint8Array(Math.ceil(values.length / 8))
  values.forEach((v, i) => {
    if (v === null) return
    valid[i >> 3]! |= 1 << (i & 7)
    const u = BigInt.asUintN(128, v)
    for (let w = 0; w < 4; w++) words[i * 4 + w] = Number((u >> BigInt(32 * w)) & 0xffffffffn)
  })
  const nullCount = values.filter((v) => v === null).length
  return makeVector(makeData({ type: new Decimal(scale, precision, 128), length: values.length, nullCount, nullBitmap: valid, data: words }))
}

function vec<T extends DataType>(values: unknown[], type: T): Vector<T> {
  return vectorFromArray(values, type) as Vector<T>
}

/** A table with one column of every type the Delta protocol maps to Parquet, nulls included. */
export function allTypesTable(): Table {
  const structType = new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true)])
  const entries = new Struct<{ key: Utf8; value: Int32 }>([new Field('key', new Utf8(), false), new Field('value', new Int32(), true)])
  const mapType = new Map_<Utf8, Int32>(new Field('entries', entries, false))
  return new Table({
    bool: vec([true, false, null], new Bool()),
    int8: vec([-128, 127, null], new Int8()),
    int16: vec([-32768, 32767, null], new Int16()),
    int32: vec([-2147483648, 2147483647, null], new Int32()),
    int64: vec([-9223372036854775808n, 9223372036854775807n, null], new Int64()),
    float32: vec([1.5, -0.25, null], new Float32()),
    float64: vec([Math.PI, -1e300, null], new Float64()),
    string: vec(['héllo', '', null], new Utf8()),
    binary: vec([new Uint8Array([0, 255, 1]), new Uint8Array(0), null], new Binary()),
    date: vec([-719162, 2932896, null], new DateDay()),
    ts: makeVector(makeData({ type: new TimestampMicrosecond(), length: 3, nullCount: 1, nullBitmap: new Uint8Array([0b011]), data: BigInt64Array.from([-62135596800000000n, 253402214400000001n, 0n]) })),
    tsUtc: makeVector(makeData({ type: new TimestampMicrosecond('UTC'), length: 3, nullCount: 1, nullBitmap: new Uint8Array([0b011]), data: BigInt64Array.from([1640995200123456n, -1n, 0n]) })),
    dec: decimalVector([12345n, -99999999n, null], 10, 2),
    dec38: decimalVector([10n ** 37n, -(10n ** 37n) + 1n, null], 38, 6),
    struct: vec([{ a: 1, b: 'x' }, { a: null, b: null }, null], structType),
    list: vec([[1, 2, null], [], null], new List(new Field('element', new Int32(), true))),
    map: vec([new Map([['k', 1], ['z', null]]), new Map(), null], mapType),
  })
}

/** Values of a column; timestamps and decimals as their stored integers, so units are checked too. */
export function rawValues(table: Table, name: string): unknown[] {
  const column = table.getChild(name)
  if (!column) throw new Error(`no column ${name}`)
  if (!DataType.isTimestamp(column.type) && !DataType.isDecimal(column.type)) {
    return Array.from({ length: column.length }, (_, i) => column.get(i))
  }
  return column.data.flatMap((d) =>
    Array.from({ length: d.length }, (_, i) => {
      if (!d.getValid(i)) return null
      const at = i * d.stride // arrow-js slices value buffers; `offset` applies to the validity bitmap only
      return d.stride === 1 ? d.values[at] : Array.from(d.values.subarray(at, at + d.stride))
    }),
  )
}

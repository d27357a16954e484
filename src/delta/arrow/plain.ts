import {
  DataType, DateUnit, Precision, TimeUnit, Type, makeVector,
  type Data, type Date_, type Decimal, type Float, type Int, type Table, type Timestamp, type Vector,
} from 'apache-arrow'
import { nullsOf, testBit } from './bitmap.js'
import { decimalReader, formatDecimal } from './decimal.js'
import { stringReader } from './strings.js'
import { floorDiv, formatDate, formatTimestamp } from './temporal.js'

// Up to 2^53 every integer is an exact double.
const MAX_SAFE = 2n ** 53n

/** The plain value of row i of one column (relative to its slice); null for a null row. */
type Reader = (i: number) => unknown

/**
 * The rows of a table as plain JavaScript objects keyed by column name: how a checkpoint's
 * Parquet rows become action objects. Struct -> object (null stays null), map -> object keyed
 * by `String(key)`, list -> array, Int64 -> number when exact (|v| <= 2^53) else bigint,
 * date -> `YYYY-MM-DD`, timestamp -> `YYYY-MM-DDTHH:MM:SS.ffffff` plus `Z` when the type has a
 * zone, decimal -> exact text with `scale` fraction digits, binary -> Uint8Array (a copy).
 * Rows are built one at a time from per-column readers over the buffers, never through
 * `vector.get(i)`, and nothing is computed for null structs, lists or maps.
 */
export function arrowToPlain(table: Table): Record<string, unknown>[] {
  return [...plainRows(table)]
}

/**
 * The rows of {@link arrowToPlain} one at a time. Prefer it when each row is consumed and
 * dropped (parsed into an action): short-lived rows are far cheaper for the garbage collector
 * than a million rows kept alive at once.
 */
export function* plainRows(table: Table): Generator<Record<string, unknown>, void, undefined> {
  const Row = rowMaker(table.schema.fields.map((f) => f.name))
  for (const batch of table.batches) {
    const columns = batch.data.children.map(columnOf)
    for (let i = 0; i < batch.numRows; i++) yield new Row(columns, i, 0)
  }
}

/** The values of a column (all its chunks) as plain JavaScript values, as {@link arrowToPlain}. */
export function vectorToPlain(vector: Vector): unknown[] {
  return vector.data.flatMap((d) => dataToPlain(d))
}

/** The values of one Data chunk as plain JavaScript values, as {@link arrowToPlain}. */
export function dataToPlain(data: Data): unknown[] {
  const read = readerOf(data)
  const out = new Array<unknown>(data.length)
  for (let i = 0; i < out.length; i++) out[i] = read(i)
  return out
}

/**
 * A column to read rows from: a value reader plus the validity it ignores, kept apart so a row
 * costs one call through an unknown reader, not two.
 */
interface Column {
  read: Reader
  bits: Uint8Array | undefined
  offset: number
}

function columnOf(data: Data): Column {
  if (data.nullCount === data.length || DataType.isNull(data.type)) return { read: () => null, bits: undefined, offset: 0 }
  return { read: valueReader(data), bits: nullsOf(data), offset: data.offset }
}

/** Row i of a column, null when the row is null. */
function readAt(col: Column, i: number): unknown {
  return col.bits !== undefined && !testBit(col.bits, col.offset + i) ? null : col.read(i)
}

/**
 * A reader of row i of one Data chunk as a plain value (null for a null row), as
 * {@link arrowToPlain} converts it: for code that wants some columns of a table, row by row.
 */
export function plainReader(data: Data): (i: number) => unknown {
  return readerOf(data)
}

/** A reader of the plain values of `data`, nulls included. */
function readerOf(data: Data): Reader {
  const col = columnOf(data)
  return col.bits === undefined ? col.read : (i) => readAt(col, i)
}

/** A reader of row values that ignores nulls (a null row may hold anything). */
function valueReader(data: Data): Reader {
  const type = data.type
  switch (type.typeId) {
    case Type.Bool: {
      const bits = data.values as Uint8Array
      return (i) => testBit(bits, data.offset + i)
    }
    case Type.Int: return (type as Int).bitWidth === 64 ? int64Reader(data) : numberReader(data)
    case Type.Float: return (type as Float).precision === Precision.HALF ? fallbackReader(data) : numberReader(data)
    case Type.Decimal: {
      const read = decimalReader(data)
      const scale = (type as Decimal).scale
      return (i) => formatDecimal(read(i), scale)
    }
    case Type.Date: return dateReader(data, type as Date_)
    case Type.Timestamp: return timestampReader(data, type as Timestamp)
    case Type.Utf8: case Type.LargeUtf8: return stringReader(data)
    case Type.Binary: case Type.LargeBinary: {
      const offsets = data.valueOffsets as Int32Array | BigInt64Array
      const bytes = data.values as Uint8Array
      return (i) => bytes.slice(Number(offsets[i]!), Number(offsets[i + 1]!))
    }
    case Type.FixedSizeBinary: {
      const bytes = data.values as Uint8Array
      const w = data.stride
      return (i) => bytes.slice(i * w, (i + 1) * w)
    }
    case Type.List: case Type.LargeList: case Type.FixedSizeList: return listReader(data)
    case Type.Map: return mapReader(data)
    case Type.Struct: return structReader(data)
    case Type.Dictionary: {
      // Rows with the same index share the dictionary's value (an object or array too).
      const dict = data.dictionary ? vectorToPlain(data.dictionary) : []
      const indices = data.values as ArrayLike<number>
      return (i) => dict[indices[i]!]
    }
    default: return fallbackReader(data)
  }
}

/** Anything without a dedicated path (views, intervals, durations): Arrow JS's own getter. */
function fallbackReader(data: Data): Reader {
  const v = makeVector(data)
  return (i) => v.get(i)
}

function numberReader(data: Data): Reader {
  const values = data.values as ArrayLike<number>
  return (i) => values[i]
}

function int64Reader(data: Data): Reader {
  const values = data.values as BigInt64Array | BigUint64Array
  const signed = values instanceof BigInt64Array
  // Reading a BigInt64Array allocates a bigint per value; the two 32-bit halves give the
  // number directly when the high half is small enough for the value to be exact.
  const words = new Int32Array(values.buffer, values.byteOffset, values.length * 2)
  return (i) => {
    const hi = words[2 * i + 1]!
    if (hi > -0x200000 && hi < 0x200000 && (signed || hi >= 0)) return hi * 0x100000000 + (words[2 * i]! >>> 0)
    const v = values[i]!
    return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v
  }
}

function dateReader(data: Data, type: Date_): Reader {
  if (type.unit === DateUnit.DAY) {
    const days = data.values as Int32Array
    return (i) => formatDate(days[i]!)
  }
  const ms = data.values as BigInt64Array
  return (i) => formatDate(Number(floorDiv(ms[i]!, 86_400_000n)))
}

function timestampReader(data: Data, type: Timestamp): Reader {
  const values = data.values as BigInt64Array
  const utc = type.timezone !== null && type.timezone !== undefined && type.timezone !== ''
  const toMicros = type.unit === TimeUnit.SECOND ? (v: bigint) => v * 1_000_000n
    : type.unit === TimeUnit.MILLISECOND ? (v: bigint) => v * 1000n
      : type.unit === TimeUnit.NANOSECOND ? (v: bigint) => floorDiv(v, 1000n)
        : (v: bigint) => v
  return (i) => formatTimestamp(toMicros(values[i]!), utc)
}

/** Where each row's items start in the list's child. */
function itemStart(data: Data): (i: number) => number {
  if (data.type.typeId === Type.FixedSizeList) {
    const size = data.stride
    return (i) => i * size
  }
  const offsets = data.valueOffsets as Int32Array | BigInt64Array
  return offsets instanceof BigInt64Array ? (i) => Number(offsets[i]!) : (i) => offsets[i]!
}

function listReader(data: Data): Reader {
  const start = itemStart(data)
  const item = readerOf(data.children[0]!)
  return (i) => {
    const a = start(i)
    const out = new Array<unknown>(start(i + 1) - a)
    for (let k = 0; k < out.length; k++) out[k] = item(a + k)
    return out
  }
}

function mapReader(data: Data): Reader {
  const start = itemStart(data)
  const entries = data.children[0]!
  // Keys and values straight from the entries' children: no per-entry objects.
  const keys = entries.children[0]!
  const key = readerOf(keys)
  const values = [columnOf(entries.children[1]!)]
  const sameKey = sameKeyTest(keys, key)
  // Maps of one table mostly repeat their keys (partition columns): reuse one constructor
  // while the keys stay the same as those of the entries at `from`.
  let from = -1
  let names: string[] = []
  let Row = rowMaker(names)
  return (i) => {
    const a = start(i)
    const n = start(i + 1) - a
    let same = names.length === n
    for (let k = 0; same && k < n; k++) same = sameKey(from + k, a + k)
    if (!same) {
      names = Array.from({ length: n }, (_, k) => String(key(a + k)))
      Row = rowMaker(names)
      from = a
    }
    return new Row(values, a, 1)
  }
}

/** Whether map entries j and k have the same key: by bytes for plain strings, else by text. */
function sameKeyTest(keys: Data, key: Reader): (j: number, k: number) => boolean {
  if (!DataType.isUtf8(keys.type) || nullsOf(keys)) return (j, k) => String(key(j)) === String(key(k))
  const offsets = keys.valueOffsets as Int32Array
  const bytes = keys.values as Uint8Array
  return (j, k) => {
    const a = offsets[j]!
    const b = offsets[k]!
    const len = offsets[j + 1]! - a
    if (offsets[k + 1]! - b !== len) return false
    for (let q = 0; q < len; q++) if (bytes[a + q] !== bytes[b + q]) return false
    return true
  }
}

function structReader(data: Data): Reader {
  const Row = rowMaker(data.type.children.map((f) => f.name))
  const columns = data.children.map(columnOf)
  return (i) => new Row(columns, i, 0)
}

/**
 * Builds a plain object: with `step` 0 key c gets row `at` of `columns[c]` (a struct row);
 * with `step` 1 key c gets row `at + c` of `columns[0]` (a map's consecutive entries).
 */
type RowMaker = new (columns: Column[], at: number, step: 0 | 1) => Record<string, unknown>

/**
 * A constructor of plain objects with the given keys. Objects made by one constructor let V8
 * size them for all their fields up front, measurably cheaper than growing `{}` key by key
 * (about 1.6x for a million 8-field rows); the prototype is Object.prototype, so they are
 * ordinary objects.
 */
function rowMaker(names: string[]): RowMaker {
  // A field named __proto__ must become an own property, never the prototype.
  const safe = !names.includes('__proto__')
  function Row(this: Record<string, unknown>, columns: Column[], at: number, step: 0 | 1): void {
    for (let c = 0; c < names.length; c++) {
      const v = step === 0 ? readAt(columns[c]!, at) : readAt(columns[0]!, at + c)
      if (safe || names[c] !== '__proto__') this[names[c]!] = v
      else Object.defineProperty(this, '__proto__', { value: v, enumerable: true, writable: true, configurable: true })
    }
  }
  Row.prototype = Object.prototype
  return Row as unknown as RowMaker
}

import { DataType, type Data, type Table, TimeUnit, DateUnit, makeVector } from 'apache-arrow'
import { decimalParams, type DeltaType, type StructType } from '../../src/delta/model/schema.js'
import {
  formatDateDays, formatDecimal, formatTimestampMicros, fromBigEndianBytes, fromLittleEndianWords, toCanonicalLong,
} from './canonical-format.js'
import { sortPairs, type Canonical } from './canonical-value.js'

/** A column to canonicalize: its name in the Arrow table and its Delta type (the type guide). */
export interface ColumnSpec {
  name: string
  type: DeltaType
}

type Reader = (i: number) => Canonical

/**
 * Rows of `table` in canonical form, one array per row in the order of `columns`. Values are
 * read exactly from the Arrow buffers (apache-arrow's `.get()` rounds Int64, timestamps and
 * decimals through floats), and one Delta type accepts every Arrow type a writer may have used
 * for it (decimal as Decimal/Int32/Int64/FixedSizeBinary, timestamp in any unit, ...).
 * Throws when a column is missing or its Arrow type cannot carry the Delta type.
 */
export function canonicalizeTable(table: Table, columns: readonly ColumnSpec[]): Canonical[][] {
  const names = table.schema.fields.map((f) => f.name)
  const cols = columns.map((spec) => {
    const vector = table.getChild(spec.name)
    if (!vector) throw new Error(`column '${spec.name}' is missing; the table has [${names.join(', ')}]`)
    const out: Canonical[] = []
    for (const data of vector.data) {
      const read = readerFor(data, spec.type, spec.name)
      for (let i = 0; i < data.length; i++) out.push(read(i))
    }
    return out
  })
  // `table.numRows` sums every batch on each call: read it once.
  const numRows = table.numRows
  const rows = new Array<Canonical[]>(numRows)
  for (let r = 0; r < numRows; r++) {
    const row = new Array<Canonical>(cols.length)
    for (let k = 0; k < cols.length; k++) row[k] = cols[k]![r] ?? null
    rows[r] = row
  }
  return rows
}

/** A reader of canonical values for one Arrow chunk, dispatched once per chunk, not per value. */
function readerFor(data: Data, type: DeltaType, where: string): Reader {
  if (DataType.isNull(data.type)) return () => null
  const read = DataType.isDictionary(data.type) ? dictionaryReader(data, type, where) : valueReader(data, type, where)
  return (i) => (data.getValid(i) ? read(i) : null)
}

function valueReader(data: Data, type: DeltaType, where: string): Reader {
  if (typeof type !== 'string') {
    if (type.type === 'struct') return structReader(data, type, where)
    if (type.type === 'array') return listReader(data, type.elementType, where)
    return mapReader(data, type.keyType, type.valueType, where)
  }
  const decimal = decimalParams(type)
  if (decimal) return decimalReader(data, decimal.scale, where)
  switch (type) {
    case 'boolean': return boolReader(data, where)
    case 'byte': case 'short': case 'integer': return integerReader(data, where, (v) => Number(v))
    case 'long': return integerReader(data, where, (v) => (typeof v === 'number' ? v : toCanonicalLong(v)))
    case 'float': return floatReader(data, where, Math.fround)
    case 'double': return floatReader(data, where, (v) => v)
    case 'string': return stringReader(data, where)
    case 'binary': return binaryReader(data, where)
    case 'date': return dateReader(data, where)
    case 'timestamp': return timestampReader(data, where, true)
    case 'timestamp_ntz': return timestampReader(data, where, false)
  }
  return unsupported(data, type, where)
}

function unsupported(data: Data, type: DeltaType, where: string): never {
  const t = typeof type === 'string' ? type : type.type
  throw new Error(`column '${where}': cannot read Delta type ${t} from Arrow type ${String(data.type)}`)
}

function dictionaryReader(data: Data, type: DeltaType, where: string): Reader {
  const dictionary = data.dictionary
  if (!dictionary) throw new Error(`column '${where}': dictionary-encoded chunk without a dictionary`)
  const chunks = dictionary.data.map((d) => ({ data: d, read: readerFor(d, type, where) }))
  const keys = data.values as ArrayLike<number | bigint>
  return (i) => {
    let key = Number(keys[i])
    for (const chunk of chunks) {
      if (key < chunk.data.length) return chunk.read(key)
      key -= chunk.data.length
    }
    throw new Error(`column '${where}': dictionary key ${String(keys[i])} out of range`)
  }
}

function boolReader(data: Data, where: string): Reader {
  if (!DataType.isBool(data.type)) unsupported(data, 'boolean', where)
  const bits = data.values as Uint8Array
  // Booleans are bit-packed and slices keep the bit offset instead of re-cutting the buffer.
  return (i) => {
    const bit = data.offset + i
    return ((bits[bit >> 3]! >> (bit & 7)) & 1) === 1
  }
}

function integerReader(data: Data, where: string, convert: (v: number | bigint) => Canonical): Reader {
  if (!DataType.isInt(data.type)) unsupported(data, 'long', where)
  const values = data.values as ArrayLike<number | bigint>
  return (i) => convert(values[i]!)
}

function floatReader(data: Data, where: string, round: (v: number) => number): Reader {
  if (DataType.isFloat(data.type)) {
    if (data.type.precision === 0) return viewReader(data, (v) => round(Number(v)))
    const values = data.values as Float32Array | Float64Array
    return (i) => round(values[i]!)
  }
  if (DataType.isInt(data.type)) return integerReader(data, where, (v) => round(Number(v)))
  unsupported(data, 'double', where)
}

/** Fallback through apache-arrow's own getter, for layouts whose getter is exact (views, half floats). */
function viewReader(data: Data, convert: (v: unknown) => Canonical): Reader {
  const vector = makeVector(data)
  return (i) => convert(vector.get(i))
}

type Unscaled = (i: number) => bigint | number

/** The unscaled value and the scale it was stored with, for every physical decimal form. */
function unscaledReader(data: Data, deltaScale: number, where: string): { read: Unscaled; stored: number } {
  const t = data.type
  if (DataType.isDecimal(t)) return { read: wordsReader(data.values as Uint32Array, t.bitWidth / 32), stored: t.scale }
  if (DataType.isInt(t)) {
    const values = data.values as ArrayLike<number | bigint>
    return { read: (i) => values[i]!, stored: deltaScale }
  }
  if (DataType.isFixedSizeBinary(t)) {
    const bytes = data.values as Uint8Array
    return { read: (i) => fromBigEndianBytes(bytes.subarray(i * t.byteWidth, (i + 1) * t.byteWidth)), stored: deltaScale }
  }
  if (DataType.isBinary(t) || DataType.isLargeBinary(t)) {
    const bytes = variableBytes(data)
    return { read: (i) => fromBigEndianBytes(bytes(i)), stored: deltaScale }
  }
  unsupported(data, `decimal(38,${deltaScale})`, where)
}

const TWO_32 = 2 ** 32

/**
 * Values of `stride` little-endian words each. Most decimals fit in 53 bits, and reading those
 * as exact numbers instead of BigInt keeps a million-row column from taking seconds.
 */
function wordsReader(words: Uint32Array, stride: number): Unscaled {
  if (stride === 1) return (i) => words[i]! | 0
  return (i) => {
    const base = i * stride
    const lo = words[base]!
    const hi = words[base + 1]!
    const fill = hi >= 0x80000000 ? 0xffffffff : 0
    let extended = true
    for (let k = 2; k < stride && extended; k++) extended = words[base + k] === fill
    if (extended && fill === 0 && hi < 0x200000) return hi * TWO_32 + lo
    if (extended && fill !== 0 && hi >= 0xffe00000) return (hi - TWO_32) * TWO_32 + lo
    return fromLittleEndianWords(words, base, stride)
  }
}

function decimalReader(data: Data, scale: number, where: string): Reader {
  const { read, stored } = unscaledReader(data, scale, where)
  if (stored === scale) return (i) => formatDecimal(read(i), scale)
  // A smaller stored scale widens exactly; a larger one is printed as stored so it cannot
  // pass for the expected value by rounding.
  if (stored < scale) {
    const factor = 10n ** BigInt(scale - stored)
    return (i) => formatDecimal(BigInt(read(i)) * factor, scale)
  }
  return (i) => formatDecimal(read(i), stored)
}

function variableBytes(data: Data): (i: number) => Uint8Array {
  const offsets = data.valueOffsets as ArrayLike<number | bigint>
  const values = data.values as Uint8Array
  return (i) => values.subarray(Number(offsets[i]), Number(offsets[i + 1]))
}

function stringReader(data: Data, where: string): Reader {
  const t = data.type
  if (DataType.isUtf8(t) || DataType.isLargeUtf8(t) || DataType.isBinary(t) || DataType.isLargeBinary(t)) {
    const bytes = variableBytes(data)
    const decoder = new TextDecoder('utf-8', { fatal: true })
    return (i) => decoder.decode(bytes(i))
  }
  if (DataType.isUtf8View(t)) return viewReader(data, (v) => String(v))
  unsupported(data, 'string', where)
}

function binaryReader(data: Data, where: string): Reader {
  const t = data.type
  const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  if (DataType.isBinary(t) || DataType.isLargeBinary(t)) {
    const bytes = variableBytes(data)
    return (i) => hex(bytes(i))
  }
  if (DataType.isFixedSizeBinary(t)) {
    const values = data.values as Uint8Array
    return (i) => hex(values.subarray(i * t.byteWidth, (i + 1) * t.byteWidth))
  }
  if (DataType.isBinaryView(t)) return viewReader(data, (v) => hex(v as Uint8Array))
  unsupported(data, 'binary', where)
}

function dateReader(data: Data, where: string): Reader {
  const t = data.type
  if (DataType.isDate(t)) {
    if (t.unit === DateUnit.DAY) {
      const days = data.values as Int32Array
      return (i) => formatDateDays(days[i]!)
    }
    const ms = data.values as BigInt64Array
    return (i) => formatDateDays(Number(floorDiv(ms[i]!, 86_400_000n)))
  }
  if (DataType.isInt(t)) return integerReader(data, where, (v) => formatDateDays(Number(v)))
  unsupported(data, 'date', where)
}

const MICROS_PER_UNIT: Record<TimeUnit, [bigint, bigint]> = {
  [TimeUnit.SECOND]: [1_000_000n, 1n],
  [TimeUnit.MILLISECOND]: [1000n, 1n],
  [TimeUnit.MICROSECOND]: [1n, 1n],
  [TimeUnit.NANOSECOND]: [1n, 1000n],
}

function timestampReader(data: Data, where: string, utc: boolean): Reader {
  const t = data.type
  // Raw Int64 is taken as microseconds, the unit the Delta protocol stores.
  const [mul, div] = DataType.isTimestamp(t) ? MICROS_PER_UNIT[t.unit] : DataType.isInt(t) ? [1n, 1n] : unsupported(data, 'timestamp', where)
  const values = data.values as ArrayLike<number | bigint>
  return (i) => formatTimestampMicros(floorDiv(BigInt(values[i]!) * mul, div), utc)
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q
}

function structReader(data: Data, type: StructType, where: string): Reader {
  if (!DataType.isStruct(data.type)) unsupported(data, type, where)
  const arrowNames = data.type.children.map((f) => f.name)
  const fields = type.fields.map((f) => {
    let k = arrowNames.indexOf(f.name)
    if (k < 0) k = arrowNames.findIndex((n) => n.toLowerCase() === f.name.toLowerCase())
    const child = data.children[k]
    if (!child) throw new Error(`column '${where}': struct field '${f.name}' is missing (has [${arrowNames.join(', ')}])`)
    return { name: f.name, read: readerFor(child, f.type, `${where}.${f.name}`) }
  })
  return (i) => {
    const out: { [field: string]: Canonical } = {}
    for (const f of fields) out[f.name] = f.read(i)
    return out
  }
}

function listReader(data: Data, element: DeltaType, where: string): Reader {
  const t = data.type
  const child = data.children[0]
  if (!child) unsupported(data, { type: 'array', elementType: element, containsNull: true }, where)
  const read = readerFor(child, element, `${where}[]`)
  if (DataType.isFixedSizeList(t)) {
    return (i) => Array.from({ length: t.listSize }, (_, k) => read(i * t.listSize + k))
  }
  if (!DataType.isList(t) && !DataType.isLargeList(t)) unsupported(data, { type: 'array', elementType: element, containsNull: true }, where)
  const offsets = data.valueOffsets as ArrayLike<number | bigint>
  return (i) => {
    const out: Canonical[] = []
    for (let k = Number(offsets[i]); k < Number(offsets[i + 1]); k++) out.push(read(k))
    return out
  }
}

function mapReader(data: Data, keyType: DeltaType, valueType: DeltaType, where: string): Reader {
  const entries = data.children[0]
  const keys = entries?.children[0]
  const values = entries?.children[1]
  if (!DataType.isMap(data.type) || !keys || !values) {
    unsupported(data, { type: 'map', keyType, valueType, valueContainsNull: true }, where)
  }
  const readKey = readerFor(keys, keyType, `${where}.key`)
  const readValue = readerFor(values, valueType, `${where}.value`)
  const offsets = data.valueOffsets as Int32Array
  return (i) => {
    const pairs: Canonical[][] = []
    for (let k = offsets[i]!; k < offsets[i + 1]!; k++) pairs.push([readKey(k), readValue(k)])
    return sortPairs(pairs)
  }
}

import { DateUnit, TimeUnit, Type, makeVector, type Data, type Date_, type Decimal, type Timestamp } from 'apache-arrow'
import { DeltaError } from '../engine/errors.js'
import type { Scalar } from '../model/scalar.js'
import { decimalParams, type DeltaType } from '../model/schema.js'
import { stringReader } from './strings.js'
import { nullMask, type LeafChunk } from './columns.js'
import { rescaleDecimal } from '../values/decimal.js'

/** Reads row `i` of a chunk as the Delta type's JS value (see `Scalar`), or null. */
export type ValueReader = (i: number) => Scalar | null

const MICROS_PER: Record<number, bigint> = { [TimeUnit.SECOND]: 1_000_000n, [TimeUnit.MILLISECOND]: 1000n, [TimeUnit.MICROSECOND]: 1n }

/** Timestamps in `unit` to microseconds, exactly (nanoseconds round down). */
function timestampMicros(raw: bigint, unit: TimeUnit): bigint {
  if (unit === TimeUnit.NANOSECOND) {
    const q = raw / 1000n
    return raw % 1000n < 0n ? q - 1n : q
  }
  return raw * MICROS_PER[unit]!
}

/** The signed value of a little-endian two's complement integer of `words` 32-bit words at `i`. */
export function readWideInt(words: Uint32Array, stride: number, i: number): bigint {
  let v = 0n
  for (let w = stride - 1; w >= 0; w--) v = (v << 32n) | BigInt(words[i * stride + w]!)
  return BigInt.asIntN(stride * 32, v)
}

function binaryReader(data: Data): (i: number) => Uint8Array {
  const offsets = data.valueOffsets as Int32Array | BigInt64Array
  const bytes = data.values as Uint8Array
  return (i) => bytes.subarray(Number(offsets[i]), Number(offsets[i + 1]))
}

function decimalReader(data: Data, deltaType: DeltaType): (i: number) => bigint {
  const t = data.type as Decimal
  const want = decimalParams(deltaType)?.scale ?? t.scale
  const stride = t.bitWidth / 32
  const words = data.values as Uint32Array
  if (want === t.scale) return (i) => readWideInt(words, stride, i)
  return (i) => {
    const v = rescaleDecimal(readWideInt(words, stride, i), t.scale, want)
    if (v === undefined) throw new DeltaError('SchemaMismatch', `a decimal with scale ${t.scale} does not fit ${JSON.stringify(deltaType)}`)
    return v
  }
}

/** A reader of the raw Arrow value in Delta form, by Arrow type; undefined for other types. */
function rawReader(data: Data, deltaType: DeltaType): ((i: number) => Scalar) | undefined {
  const values = data.values as ArrayLike<number | bigint>
  switch (data.typeId) {
    case Type.Int:
    case Type.Float:
      return (i) => values[i]!
    case Type.Bool: {
      const bits = data.values as Uint8Array
      return (i) => ((bits[(data.offset + i) >> 3]! >> ((data.offset + i) & 7)) & 1) === 1
    }
    case Type.Utf8:
    case Type.LargeUtf8: return stringReader(data)
    case Type.Binary:
    case Type.LargeBinary: return binaryReader(data)
    case Type.Decimal: return decimalReader(data, deltaType)
    case Type.Date:
      if ((data.type as Date_).unit === DateUnit.DAY) return (i) => values[i]!
      return (i) => Math.floor(Number(values[i]!) / 86_400_000)
    case Type.Timestamp: {
      const unit = (data.type as Timestamp).unit
      return (i) => timestampMicros(values[i] as bigint, unit)
    }
  }
  return undefined
}

/**
 * A conversion from the value an Arrow integer or float column holds to the JS form of `type`
 * (an Int32 column read as a Delta long gives bigints...); undefined when none is needed.
 */
function converterFor(data: Data, type: DeltaType): ((v: Scalar) => Scalar) | undefined {
  if (data.typeId !== Type.Int && data.typeId !== Type.Float) return undefined
  if (type === 'long') return (v) => (typeof v === 'number' ? BigInt(v) : v)
  if (type === 'integer' || type === 'short' || type === 'byte' || type === 'float' || type === 'double') {
    return (v) => (typeof v === 'bigint' ? Number(v) : v)
  }
  const dec = decimalParams(type)
  if (dec && data.typeId === Type.Int) {
    const factor = 10n ** BigInt(dec.scale)
    return (v) => BigInt(v as number | bigint) * factor
  }
  return undefined
}

function fallbackReader(data: Data, type: DeltaType): (i: number) => Scalar {
  const vector = makeVector(data)
  return (i) => {
    const v = vector.get(i) as unknown
    if (v instanceof Date) return type === 'date' ? Math.floor(v.getTime() / 86_400_000) : BigInt(v.getTime()) * 1000n
    if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' || typeof v === 'boolean' || v instanceof Uint8Array) return v
    throw new DeltaError('UnsupportedFeature', `cannot filter on Arrow type ${String(data.type)} as ${JSON.stringify(type)}`)
  }
}

function dictionaryReader(chunk: LeafChunk, type: DeltaType): ValueReader {
  const dict = chunk.data.dictionary
  if (!dict) throw new DeltaError('Internal', 'dictionary-encoded column without a dictionary')
  const entries = dictionaryValues(dict, type)
  const indices = chunk.data.values as ArrayLike<number | bigint>
  const nulls = chunk.nulls
  return (i) => (nulls && nulls[i] ? null : entries[Number(indices[i])] ?? null)
}

// Record batches of one column often share a dictionary: decode it once per type.
const DICTIONARIES = new WeakMap<object, Map<string, Array<Scalar | null>>>()

/** Every value of a dictionary, decoded once, so each row costs one array lookup. */
export function dictionaryValues(dictionary: { readonly data: readonly Data[] }, type: DeltaType): Array<Scalar | null> {
  let byType = DICTIONARIES.get(dictionary)
  if (!byType) DICTIONARIES.set(dictionary, (byType = new Map()))
  // Keyed by length too, in case a dictionary grows by delta batches in place.
  const key = `${JSON.stringify(type)}:${dictionary.data.reduce((n, d) => n + d.length, 0)}`
  let out = byType.get(key)
  if (out) return out
  out = []
  for (const d of dictionary.data) {
    const read = makeValueReader({ data: d, length: d.length, nulls: nullMask(d) }, type)
    for (let i = 0; i < d.length; i++) out.push(read(i))
  }
  byType.set(key, out)
  return out
}

/**
 * A reader of one chunk that returns each row in the Delta type's JS form (timestamps as exact
 * bigint microseconds from the raw buffers, decimals from their 32-bit words; never through
 * `Vector.get`, which turns timestamps into lossy milliseconds), or null for a null row.
 */
export function makeValueReader(chunk: LeafChunk, type: DeltaType): ValueReader {
  if (chunk.data.typeId === Type.Dictionary) return dictionaryReader(chunk, type)
  const raw = rawReader(chunk.data, type) ?? fallbackReader(chunk.data, type)
  const convert = converterFor(chunk.data, type)
  const read = convert ? (i: number) => convert(raw(i)) : raw
  const nulls = chunk.nulls
  return nulls ? (i) => (nulls[i] ? null : read(i)) : read
}

import { DataType, Precision, util, type Data, type Decimal, type Int } from 'apache-arrow'
import { decimalParams, type PrimitiveType } from '../model/schema.js'
import { castError, rejectRow, relabel, withValues } from './cast-util.js'
import { decimal128Writer, decimalReader, pow10, readBigEndian } from './decimal.js'

const INT_BITS: Partial<Record<PrimitiveType, number>> = { byte: 8, short: 16, integer: 32, long: 64 }

/** Reads row i of a signed or unsigned integer column as a bigint, exactly. */
function bigIntReader(data: Data): (i: number) => bigint {
  const values = data.values as ArrayLike<number | bigint>
  return (i) => BigInt(values[i]!)
}

/**
 * byte/short/integer/long from any Arrow integer. Parquet stores byte and short as INT32 (and
 * an un-annotated file leaves them so), and type widening reads narrow files as wider ints.
 */
export function castInteger(data: Data, type: DataType, target: PrimitiveType, path: string): Data {
  const src = data.type
  if (!DataType.isInt(src)) throw castError(path, src, target)
  const bits = INT_BITS[target]!
  const int = src as Int
  if (int.isSigned && int.bitWidth === bits) return relabel(data, type)
  const n = data.length
  if (bits === 64) return withValues(data, type, toInt64(data, int, path, target))
  const out = bits === 8 ? new Int8Array(n) : bits === 16 ? new Int16Array(n) : new Int32Array(n)
  const lo = -(2 ** (bits - 1))
  const hi = 2 ** (bits - 1) - 1
  // 64-bit sources compare as bigint: exact at any magnitude.
  const [blo, bhi] = [BigInt(lo), BigInt(hi)]
  const values = data.values as ArrayLike<number | bigint>
  for (let i = 0; i < n; i++) {
    const v = values[i]!
    const ok = typeof v === 'bigint' ? v >= blo && v <= bhi : v >= lo && v <= hi
    if (ok) out[i] = Number(v)
    else rejectRow(data, i, path, target, `value ${v} is out of range`)
  }
  return withValues(data, type, out)
}

function toInt64(data: Data, int: Int, path: string, target: PrimitiveType): BigInt64Array {
  const n = data.length
  const out = new BigInt64Array(n)
  if (int.bitWidth === 64) {
    // Only Uint64 gets here: values above 2^63 - 1 do not fit a long.
    const values = data.values as BigUint64Array
    for (let i = 0; i < n; i++) {
      const v = values[i]!
      if (v > 0x7fffffffffffffffn) rejectRow(data, i, path, target, `value ${v} is out of range`)
      out[i] = BigInt.asIntN(64, v)
    }
    return out
  }
  // Sign-extend 32-bit words in place of per-row bigint conversions.
  const words = new Int32Array(out.buffer)
  const values = data.values as ArrayLike<number>
  for (let i = 0; i < n; i++) {
    const v = values[i]!
    if (v > 0x7fffffff) {
      out[i] = BigInt(v)
      continue
    }
    words[2 * i] = v
    words[2 * i + 1] = v < 0 ? -1 : 0
  }
  return out
}

/** float from Float32 or Float16; double from Float64, Float32, Float16 or an integer of up to 32 bits (exact). */
export function castFloat(data: Data, type: DataType, target: PrimitiveType, path: string): Data {
  const src = data.type
  if (DataType.isFloat(src) && src.precision === (target === 'float' ? 1 : 2)) return relabel(data, type)
  if (DataType.isFloat(src) && src.precision === Precision.HALF) return widenHalf(data, type, target)
  const widenable = target === 'double' &&
    ((DataType.isFloat(src) && src.precision === 1) || (DataType.isInt(src) && (src as Int).bitWidth <= 32))
  if (!widenable) throw castError(path, src, target)
  const values = data.values as ArrayLike<number>
  const out = new Float64Array(data.length)
  for (let i = 0; i < out.length; i++) out[i] = values[i]!
  return withValues(data, type, out)
}

/** float or double from Float16 (Arrow stores the raw half bits): exact either way. */
function widenHalf(data: Data, type: DataType, target: PrimitiveType): Data {
  const bits = data.values as Uint16Array
  const out = target === 'float' ? new Float32Array(data.length) : new Float64Array(data.length)
  for (let i = 0; i < out.length; i++) out[i] = util.uint16ToFloat64(bits[i]!)
  return withValues(data, type, out)
}

/**
 * decimal(p,s) from a decimal of any width, precision and scale (exact rescale), from an
 * integer (type widening: the value times 10^s), or from big-endian bytes a decoder left
 * un-annotated (FixedSizeBinary/Binary holding the unscaled value).
 */
export function castDecimal(data: Data, type: DataType, target: PrimitiveType, path: string): Data {
  const { precision, scale } = decimalParams(target)!
  const src = data.type
  let read: (i: number) => bigint
  if (DataType.isDecimal(src)) {
    const dec = src as Decimal
    if (dec.scale === scale && dec.bitWidth === 128 && dec.precision <= precision) return relabel(data, type)
    read = rescaler(decimalReader(data), dec.scale, scale, data, path, target)
  } else if (DataType.isInt(src)) {
    const factor = pow10(scale)
    const raw = bigIntReader(data)
    read = (i) => raw(i) * factor
  } else if (DataType.isFixedSizeBinary(src)) {
    const bytes = data.values as Uint8Array
    const w = data.stride
    read = (i) => readBigEndian(bytes, i * w, (i + 1) * w)
  } else if (DataType.isBinary(src)) {
    const bytes = data.values as Uint8Array
    const offsets = data.valueOffsets as Int32Array
    read = (i) => readBigEndian(bytes, offsets[i]!, offsets[i + 1]!)
  } else {
    throw castError(path, src, target)
  }
  const words = new Uint32Array(4 * data.length)
  const write = decimal128Writer(words)
  const limit = pow10(precision)
  for (let i = 0; i < data.length; i++) {
    const v = read(i)
    if (v < limit && v > -limit) write(i, v)
    else rejectRow(data, i, path, target, `value ${v} has more than ${precision} digits`)
  }
  return withValues(data, type, words)
}

function rescaler(read: (i: number) => bigint, from: number, to: number, data: Data, path: string, target: PrimitiveType): (i: number) => bigint {
  if (from === to) return read
  if (to > from) {
    const f = pow10(to - from)
    return (i) => read(i) * f
  }
  // Fewer fraction digits is exact only when the dropped digits are zeros.
  const f = pow10(from - to)
  return (i) => {
    const v = read(i)
    if (v % f !== 0n) rejectRow(data, i, path, target, `value ${v}e-${from} would lose digits`)
    return v / f
  }
}

import { DateUnit, Precision, TimeUnit, Type, type Data, type Date_, type Decimal, type Float, type Int, type Timestamp } from 'apache-arrow'
import type { Scalar } from '../../model/scalar.js'
import { decimalParams, type DeltaType } from '../../model/schema.js'
import { isFloating } from '../../values/compare.js'

/** The truth values to write when a row is below, equal to, above the literal. */
export type Outcome3 = readonly [number, number, number]

/**
 * Tight loops comparing one Arrow chunk with a literal straight from its buffers, writing
 * `outcome[sign(row - literal) + 1]` for each row into `out` from `start` (null rows get
 * garbage, which the caller overwrites). False when the chunk's layout or the literal has no
 * fast path (the caller then reads values one by one). They exist because filters run over
 * millions of rows.
 */
export function compareInto(data: Data, type: DeltaType, literal: Scalar, outcome: Outcome3, out: Uint8Array, start: number): boolean {
  const signs = compareSigns(data, type, literal, outcome)
  if (!signs) return false
  out.set(signs, start)
  return true
}

function compareSigns(data: Data, type: DeltaType, literal: Scalar, o: Outcome3): Uint8Array | undefined {
  switch (data.typeId) {
    case Type.Int:
    case Type.Float:
    case Type.Date:
      return numericSigns(data, type, literal, o)
    case Type.Timestamp:
      if ((data.type as Timestamp).unit !== TimeUnit.MICROSECOND || typeof literal !== 'bigint') return undefined
      return wordSigns(data.values as BigInt64Array, 2, data.length, literal, o)
    case Type.Decimal: {
      const t = data.type as Decimal
      if (typeof literal !== 'bigint' || decimalParams(type)?.scale !== t.scale) return undefined
      return wordSigns(data.values as Uint32Array, t.bitWidth / 32, data.length, literal, o)
    }
    case Type.Utf8:
      return typeof literal === 'string' ? utf8Signs(data, new TextEncoder().encode(literal), o) : undefined
    case Type.Bool:
      return typeof literal === 'boolean' ? boolSigns(data, literal, o) : undefined
  }
  return undefined
}

function numericSigns(data: Data, type: DeltaType, literal: Scalar, o: Outcome3): Uint8Array | undefined {
  const n = data.length
  if (data.typeId === Type.Int && (data.type as Int).bitWidth === 64) {
    const signed = (data.type as Int).isSigned
    return signed && typeof literal === 'bigint' ? wordSigns(data.values as BigInt64Array, 2, n, literal, o) : undefined
  }
  if (typeof literal !== 'number') return undefined
  if (data.typeId === Type.Date && (data.type as Date_).unit !== DateUnit.DAY) return undefined
  if (data.typeId === Type.Float && (data.type as Float).precision === Precision.HALF) return undefined
  const values = data.values as Int32Array | Float64Array
  if (values.length < n) return undefined
  const out = new Uint8Array(n)
  const [lt, eq, gt] = o
  if (!isFloating(type)) {
    for (let i = 0; i < n; i++) {
      const x = values[i]!
      out[i] = x < literal ? lt : x > literal ? gt : eq
    }
  } else if (Number.isNaN(literal)) {
    // Spark order: NaN equals NaN and sorts above everything else.
    for (let i = 0; i < n; i++) out[i] = Number.isNaN(values[i]!) ? eq : lt
  } else {
    for (let i = 0; i < n; i++) {
      const x = values[i]!
      out[i] = x < literal ? lt : x > literal ? gt : x === literal ? eq : gt
    }
  }
  return out
}

/**
 * Signs of little-endian two's complement integers of `stride` 32-bit words (Int64 and
 * timestamps: 2, Decimal128: 4) against a bigint, compared word by word from the top so no
 * bigint is made per row.
 */
function wordSigns(buffer: BigInt64Array | Uint32Array, stride: number, n: number, literal: bigint, o: Outcome3): Uint8Array | undefined {
  const bits = BigInt(stride * 32)
  if (BigInt.asIntN(Number(bits), literal) !== literal) return undefined
  const hi = new Int32Array(buffer.buffer, buffer.byteOffset, n * stride)
  const lo = new Uint32Array(buffer.buffer, buffer.byteOffset, n * stride)
  const lit: number[] = []
  for (let w = 0; w < stride; w++) lit.push(Number(BigInt.asUintN(32, literal >> BigInt(32 * w))))
  const top = stride - 1
  const litTop = Number(BigInt.asIntN(32, literal >> BigInt(32 * top)))
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const base = i * stride
    const h = hi[base + top]!
    let s = h < litTop ? -1 : h > litTop ? 1 : 0
    for (let w = top - 1; s === 0 && w >= 0; w--) {
      const x = lo[base + w]!
      s = x < lit[w]! ? -1 : x > lit[w]! ? 1 : 0
    }
    out[i] = o[s + 1]!
  }
  return out
}

/** Signs of UTF-8 strings against the literal's UTF-8 bytes (byte order is code point order). */
function utf8Signs(data: Data, lit: Uint8Array, o: Outcome3): Uint8Array {
  const offsets = data.valueOffsets as Int32Array
  const bytes = data.values as Uint8Array
  const n = data.length
  const out = new Uint8Array(n)
  const litLen = lit.length
  for (let i = 0; i < n; i++) {
    const start = offsets[i]!
    const len = offsets[i + 1]! - start
    const m = len < litLen ? len : litLen
    let s = 0
    for (let j = 0; j < m; j++) {
      const d = bytes[start + j]! - lit[j]!
      if (d !== 0) {
        s = d < 0 ? -1 : 1
        break
      }
    }
    out[i] = o[(s !== 0 ? s : len < litLen ? -1 : len > litLen ? 1 : 0) + 1]!
  }
  return out
}

function boolSigns(data: Data, literal: boolean, o: Outcome3): Uint8Array {
  const bits = data.values as Uint8Array
  const n = data.length
  const want = literal ? 1 : 0
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const p = data.offset + i
    out[i] = o[((bits[p >> 3]! >> (p & 7)) & 1) - want + 1]!
  }
  return out
}

/**
 * `row IN set` for chunks of 8- to 32-bit integers, floats and days, straight from the values
 * buffer: `hit` where the set has the row's value, `miss` elsewhere. The set holds numbers and
 * compares with SameValueZero, so NaN matches NaN and -0 matches 0, as Spark compares floats.
 * False when the chunk has no such layout.
 */
export function inSetInto(data: Data, set: ReadonlySet<unknown>, hit: number, miss: number, out: Uint8Array, start: number): boolean {
  const t = data.type as unknown as { bitWidth: number; precision: Precision; unit: DateUnit }
  const plain =
    (data.typeId === Type.Int && t.bitWidth <= 32) ||
    (data.typeId === Type.Float && t.precision !== Precision.HALF) ||
    (data.typeId === Type.Date && t.unit === DateUnit.DAY)
  if (!plain) return false
  const values = data.values as Int32Array | Float64Array
  for (let i = 0; i < data.length; i++) out[start + i] = set.has(values[i]!) ? hit : miss
  return true
}

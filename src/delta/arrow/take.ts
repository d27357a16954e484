import { Data, DataType, Type, type Vector } from 'apache-arrow'
import { DeltaError } from '../engine/errors.js'
import { newBitmap, nullsOf, setBit, testBit } from './bitmap.js'

/** A typed array of fixed-width values (numbers or bigints) that can be gathered generically. */
type FixedArray = { length: number; [i: number]: number | bigint }
type FixedArrayCtor = new (length: number) => FixedArray

/**
 * Gather rows of `data` by index into a new Data of the same type: `out[i] = data[indices[i]]`,
 * with -1 meaning a null row. This is the kernel behind row filtering and dictionary decoding
 * (Arrow JS has none). Works on sliced data (non-zero `offset`) of every type but unions.
 */
export function takeData(data: Data, indices: Int32Array): Data {
  const start = contiguousStart(indices, data.length)
  if (start >= 0) return start === 0 && indices.length === data.length ? data : data.slice(start, indices.length)
  const type = data.type
  if (DataType.isNull(type)) return new Data(type, 0, indices.length, indices.length)
  const { bitmap, nullCount } = takeValidity(data, indices)
  const n = indices.length
  switch (type.typeId) {
    case Type.Bool: return new Data(type, 0, n, nullCount, [undefined, takeBits(data, indices), bitmap])
    case Type.Binary: case Type.Utf8: case Type.LargeBinary: case Type.LargeUtf8: {
      const [offsets, values] = takeVarBytes(data, indices)
      return new Data(type, 0, n, nullCount, [offsets, values, bitmap])
    }
    case Type.List: case Type.Map: case Type.LargeList: {
      const [offsets, childRows] = takeListOffsets(data, indices)
      const child = takeData(data.children[0]!, childRows)
      return new Data(type, 0, n, nullCount, [offsets, undefined, bitmap], [child])
    }
    case Type.FixedSizeList: {
      const size = data.stride
      const childRows = new Int32Array(n * size)
      for (let i = 0; i < n; i++) {
        const j = indices[i]!
        for (let k = 0; k < size; k++) childRows[i * size + k] = j < 0 ? -1 : j * size + k
      }
      return new Data(type, 0, n, nullCount, [undefined, undefined, bitmap], [takeData(data.children[0]!, childRows)])
    }
    case Type.Struct:
      return new Data(type, 0, n, nullCount, [undefined, undefined, bitmap], data.children.map((c) => takeData(c, indices)))
    case Type.Union:
      throw new DeltaError('UnsupportedFeature', `cannot filter a union column (${String(type)}); Delta tables have none`)
    default: {
      const values = takeFixed(data, indices)
      return new Data(type, 0, n, nullCount, [undefined, values, bitmap], [], data.dictionary as Vector | undefined, data.variadicBuffers)
    }
  }
}

/** The first index when `indices` is one ascending run without nulls inside `length`, else -1. */
function contiguousStart(indices: Int32Array, length: number): number {
  const first = indices.length > 0 ? indices[0]! : 0
  if (first < 0 || first + indices.length > length) return -1
  for (let i = 1; i < indices.length; i++) if (indices[i] !== first + i) return -1
  return first
}

function takeValidity(data: Data, indices: Int32Array): { bitmap: Uint8Array | undefined; nullCount: number } {
  const src = nullsOf(data)
  const n = indices.length
  let hasNullIndex = false
  if (!src) {
    for (let i = 0; i < n; i++) if (indices[i]! < 0) { hasNullIndex = true; break }
    if (!hasNullIndex) return { bitmap: undefined, nullCount: 0 }
  }
  const out = newBitmap(n)
  const off = data.offset
  let nullCount = 0
  for (let i = 0; i < n; i++) {
    const j = indices[i]!
    if (j >= 0 && (!src || testBit(src, off + j))) setBit(out, i)
    else nullCount++
  }
  return { bitmap: out, nullCount }
}

function takeBits(data: Data, indices: Int32Array): Uint8Array {
  const src = data.values as Uint8Array
  const out = newBitmap(indices.length)
  const off = data.offset
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!
    if (j >= 0 && testBit(src, off + j)) setBit(out, i)
  }
  return out
}

function takeFixed(data: Data, indices: Int32Array): FixedArray {
  const src = data.values as unknown as FixedArray
  const stride = data.stride
  const n = indices.length
  const out = new (src.constructor as FixedArrayCtor)(n * stride)
  if (stride === 1) {
    for (let i = 0; i < n; i++) {
      const j = indices[i]!
      if (j >= 0) out[i] = src[j]!
    }
    return out
  }
  for (let i = 0; i < n; i++) {
    const j = indices[i]!
    if (j < 0) continue
    for (let k = 0; k < stride; k++) out[i * stride + k] = src[j * stride + k]!
  }
  return out
}

/** Offsets of a variable-width column as numbers, whether 32- or 64-bit. */
function offsetAt(offsets: Int32Array | BigInt64Array, i: number): number {
  return Number(offsets[i]!)
}

/** Total length of the spans `offsets[j]..offsets[j + 1]` of the taken rows (-1 takes none). */
function takenLength(offsets: Int32Array | BigInt64Array, indices: Int32Array): number {
  let total = 0
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!
    if (j >= 0) total += offsetAt(offsets, j + 1) - offsetAt(offsets, j)
  }
  return total
}

/**
 * The offsets of the taken rows laid end to end, in the width of the source offsets; `copy`
 * moves each taken row's span `[start, end)` to `pos` in the caller's output.
 */
function takeSpans(
  offsets: Int32Array | BigInt64Array, indices: Int32Array, copy: (start: number, end: number, pos: number) => void,
): Int32Array | BigInt64Array {
  const n = indices.length
  const large = offsets instanceof BigInt64Array
  const outOffsets = large ? new BigInt64Array(n + 1) : new Int32Array(n + 1)
  let pos = 0
  for (let i = 0; i < n; i++) {
    const j = indices[i]!
    if (j >= 0) {
      const a = offsetAt(offsets, j)
      const b = offsetAt(offsets, j + 1)
      copy(a, b, pos)
      pos += b - a
    }
    if (large) (outOffsets as BigInt64Array)[i + 1] = BigInt(pos)
    else (outOffsets as Int32Array)[i + 1] = pos
  }
  return outOffsets
}

function takeVarBytes(data: Data, indices: Int32Array): [Int32Array | BigInt64Array, Uint8Array] {
  const offsets = data.valueOffsets as Int32Array | BigInt64Array
  const values = data.values as Uint8Array
  const total = takenLength(offsets, indices)
  if (!(offsets instanceof BigInt64Array) && total > 0x7fffffff) {
    throw new DeltaError('InvalidData', 'a filtered string or binary column exceeds 2 GiB; read fewer rows per batch')
  }
  const out = new Uint8Array(total)
  const outOffsets = takeSpans(offsets, indices, (a, b, pos) => {
    if (b - a > 16) out.set(values.subarray(a, b), pos)
    else for (let k = a; k < b; k++) out[pos + k - a] = values[k]!
  })
  return [outOffsets, out]
}

function takeListOffsets(data: Data, indices: Int32Array): [Int32Array | BigInt64Array, Int32Array] {
  const offsets = data.valueOffsets as Int32Array | BigInt64Array
  const childRows = new Int32Array(takenLength(offsets, indices))
  const outOffsets = takeSpans(offsets, indices, (a, b, pos) => {
    for (let k = a; k < b; k++) childRows[pos + k - a] = k
  })
  return [outOffsets, childRows]
}

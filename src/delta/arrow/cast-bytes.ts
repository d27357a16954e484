import { DataType, Type, type Data } from 'apache-arrow'
import { DeltaError } from '../engine/errors.js'
import type { PrimitiveType } from '../model/schema.js'
import { castError, relabel, withValues } from './cast-util.js'

/**
 * string or binary from any Arrow string or binary layout: Utf8/Binary as they are, Large*
 * with 64-bit offsets narrowed, *View gathered, FixedSizeBinary given offsets. Strings and
 * binaries convert into each other too (same layout; Spark's binaryAsString for old files).
 */
export function castBytes(data: Data, type: DataType, target: PrimitiveType, path: string): Data {
  const src = data.type
  switch (src.typeId) {
    case Type.Utf8: case Type.Binary:
      return relabel(data, type)
    case Type.LargeUtf8: case Type.LargeBinary:
      return withValues(data, type, data.values, narrowOffsets(data.valueOffsets as BigInt64Array, path))
    case Type.Utf8View: case Type.BinaryView: {
      const [offsets, values] = gatherViews(data, path)
      return withValues(data, type, values, offsets)
    }
    case Type.FixedSizeBinary: {
      if (target !== 'binary') break
      const w = data.stride
      const offsets = new Int32Array(data.length + 1)
      for (let i = 1; i <= data.length; i++) offsets[i] = i * w
      return withValues(data, type, data.values, offsets)
    }
  }
  throw castError(path, src, target)
}

function tooLarge(path: string): DeltaError {
  return new DeltaError('InvalidData', `column '${path}' holds more than 2 GiB in one batch; read the file in smaller row groups`)
}

function narrowOffsets(offsets: BigInt64Array, path: string): Int32Array {
  const out = new Int32Array(offsets.length)
  for (let i = 0; i < offsets.length; i++) {
    const v = offsets[i]!
    if (v > 0x7fffffffn) throw tooLarge(path)
    out[i] = Number(v)
  }
  return out
}

const VIEW = 16
const INLINE = 12

/** Copy the bytes of a view column (inline up to 12 bytes, else in a variadic buffer) into one buffer. */
function gatherViews(data: Data, path: string): [Int32Array, Uint8Array] {
  const views = data.values as Uint8Array
  const dv = new DataView(views.buffer, views.byteOffset, views.byteLength)
  const n = data.length
  const offsets = new Int32Array(n + 1)
  let total = 0
  for (let i = 0; i < n; i++) {
    total += Math.max(0, dv.getInt32(i * VIEW, true))
    if (total > 0x7fffffff) throw tooLarge(path)
    offsets[i + 1] = total
  }
  const out = new Uint8Array(total)
  for (let i = 0; i < n; i++) {
    const size = offsets[i + 1]! - offsets[i]!
    if (size === 0) continue
    if (size <= INLINE) {
      out.set(views.subarray(i * VIEW + 4, i * VIEW + 4 + size), offsets[i]!)
      continue
    }
    const buffer = data.variadicBuffers[dv.getInt32(i * VIEW + 8, true)]
    if (!buffer) throw new DeltaError('InvalidData', `column '${path}' refers to a missing view buffer; the file is corrupt`)
    const at = dv.getInt32(i * VIEW + 12, true)
    out.set(buffer.subarray(at, at + size), offsets[i]!)
  }
  return [offsets, out]
}

import { Data, DataType, Type, makeVector, type Dictionary, type Vector } from 'apache-arrow'
import { DeltaError } from '../engine/errors.js'
import type { Scalar } from '../model/scalar.js'
import { decimalParams, type DeltaType } from '../model/schema.js'
import { fullBitmap, newBitmap } from './bitmap.js'
import { decimal128Writer, fitsPrecision } from './decimal.js'
import { describeDeltaType, toArrowType } from './types.js'

type TypedArrayCtor = new (length: number) => ArrayLike<unknown>

/**
 * A column of `length` rows of one Arrow type, all null, with buffers of full size (some IPC
 * readers reject short buffers). Schema evolution fills columns a file lacks with these.
 */
export function nullData(type: DataType, length: number): Data {
  const nulls = newBitmap(length)
  switch (type.typeId) {
    case Type.Null: return new Data(type, 0, length, length)
    case Type.Bool: return new Data(type, 0, length, length, [undefined, newBitmap(length), nulls])
    case Type.Utf8: case Type.Binary:
      return new Data(type, 0, length, length, [new Int32Array(length + 1), new Uint8Array(0), nulls])
    case Type.LargeUtf8: case Type.LargeBinary:
      return new Data(type, 0, length, length, [new BigInt64Array(length + 1), new Uint8Array(0), nulls])
    case Type.List: case Type.Map:
      return new Data(type, 0, length, length, [new Int32Array(length + 1), undefined, nulls], [nullData(childType(type), 0)])
    case Type.LargeList:
      return new Data(type, 0, length, length, [new BigInt64Array(length + 1), undefined, nulls], [nullData(childType(type), 0)])
    case Type.FixedSizeList: {
      const size = new Data(type, 0, 0).stride
      return new Data(type, 0, length, length, [undefined, undefined, nulls], [nullData(childType(type), length * size)])
    }
    case Type.Struct:
      return new Data(type, 0, length, length, [undefined, undefined, nulls], type.children.map((f) => nullData(f.type, length)))
    case Type.Dictionary: {
      const dict = type as Dictionary
      const indices = new (dict.indices.ArrayType as TypedArrayCtor)(length)
      return new Data(type, 0, length, length, [undefined, indices, nulls], [], makeVector(nullData(dict.dictionary, 0)))
    }
    case Type.Union:
      throw new DeltaError('UnsupportedFeature', `cannot make a null column of union type ${String(type)}`)
    default: {
      const stride = new Data(type, 0, 0).stride
      const values = new (type.ArrayType as TypedArrayCtor)(length * stride)
      return new Data(type, 0, length, length, [undefined, values, nulls])
    }
  }
}

function childType(type: DataType): DataType {
  const child = type.children[0]
  if (!child) throw new DeltaError('Internal', `type ${String(type)} has no child type`)
  return child.type
}

/**
 * A column of `length` copies of one Delta value (partition values, CDF `_change_type` /
 * `_commit_version` / `_commit_timestamp`), in the canonical Arrow type. `value` has the
 * JavaScript form of `scalar.ts`; null gives an all-null column. Cheap for millions of rows:
 * typed arrays are filled, and a string's bytes are written once and doubled.
 */
export function constantVector(type: DeltaType, value: Scalar | null, length: number): Vector {
  return makeVector(constantData(type, value, length))
}

/** The Data behind {@link constantVector}. */
export function constantData(type: DeltaType, value: Scalar | null, length: number): Data {
  const arrowType = toArrowType(type)
  if (value === null) return nullData(arrowType, length)
  const values = constantValues(type, value, length)
  return new Data(arrowType, 0, length, 0, values)
}

function mismatch(type: DeltaType, value: Scalar): DeltaError {
  const shown = typeof value === 'bigint' ? `${value}n` : value instanceof Uint8Array ? `${value.length} bytes` : JSON.stringify(value)
  return new DeltaError('InvalidArgument', `value ${shown} (${typeof value}) is not a valid ${describeDeltaType(type)}; pass the JavaScript form scalar.ts documents`)
}

function constantValues(type: DeltaType, value: Scalar, length: number): [unknown, unknown] {
  switch (type) {
    case 'byte': return [undefined, new Int8Array(length).fill(asInt(type, value, 0x80))]
    case 'short': return [undefined, new Int16Array(length).fill(asInt(type, value, 0x8000))]
    case 'integer': return [undefined, new Int32Array(length).fill(asInt(type, value, 0x80000000))]
    case 'date': return [undefined, new Int32Array(length).fill(asInt(type, value, 0x80000000))]
    case 'long': case 'timestamp': case 'timestamp_ntz':
      return [undefined, new BigInt64Array(length).fill(asBigInt64(type, value))]
    case 'float': case 'double': {
      if (typeof value !== 'number') throw mismatch(type, value)
      return [undefined, (type === 'float' ? new Float32Array(length) : new Float64Array(length)).fill(value)]
    }
    case 'boolean': {
      if (typeof value !== 'boolean') throw mismatch(type, value)
      return [undefined, value ? fullBitmap(length) : newBitmap(length)]
    }
    case 'string': case 'binary': {
      if (type === 'string' ? typeof value !== 'string' : !(value instanceof Uint8Array)) throw mismatch(type, value)
      const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value as Uint8Array
      return repeatBytes(bytes, length)
    }
  }
  const d = decimalParams(type)
  if (!d) throw mismatch(type, value)
  if (typeof value !== 'bigint' || !fitsPrecision(value, d.precision)) throw mismatch(type, value)
  const words = new Uint32Array(4 * length)
  if (length > 0) decimal128Writer(words)(0, value)
  return [undefined, doubleFill(words, 4)]
}

function asInt(type: DeltaType, value: Scalar, bound: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -bound || value >= bound) throw mismatch(type, value)
  return value
}

function asBigInt64(type: DeltaType, value: Scalar): bigint {
  const v = typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : value
  if (typeof v !== 'bigint' || BigInt.asIntN(64, v) !== v) throw mismatch(type, value)
  return v
}

/** Offsets stepping by the value's length and the bytes written `length` times. */
function repeatBytes(bytes: Uint8Array, length: number): [Int32Array, Uint8Array] {
  const total = bytes.length * length
  if (total > 0x7fffffff) {
    throw new DeltaError('InvalidArgument', `${length} copies of a ${bytes.length}-byte value exceed 2 GiB; read fewer rows per batch`)
  }
  const offsets = new Int32Array(length + 1)
  for (let i = 1; i <= length; i++) offsets[i] = i * bytes.length
  const out = new Uint8Array(total)
  if (total > 0) {
    out.set(bytes, 0)
    doubleFill(out, bytes.length)
  }
  return [offsets, out]
}

/** Repeat the first `unit` elements over the whole array by doubling copies (log n calls). */
function doubleFill<T extends Uint8Array | Uint32Array>(arr: T, unit: number): T {
  let filled = Math.min(unit, arr.length)
  while (filled < arr.length) {
    const n = Math.min(filled, arr.length - filled)
    arr.copyWithin(filled, 0, n)
    filled += n
  }
  return arr
}

import { Data, makeVector, type Vector } from 'apache-arrow'
import { newBitmap, setBit } from './bitmap.js'
import { decimal128Writer } from './decimal.js'
import { describeDeltaType, toArrowType } from './types.js'
import { DeltaError } from '../engine/errors.js'
import type { Scalar } from '../model/scalar.js'
import { decimalParams, type DeltaType } from '../model/schema.js'

type Values = ReadonlyArray<Scalar | null>

/** The validity bitmap of `values` (bit set = not null) and how many are null. */
function validity(values: Values): { bitmap: Uint8Array; nullCount: number } {
  const bitmap = newBitmap(values.length)
  let nullCount = 0
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) nullCount++
    else setBit(bitmap, i)
  }
  return { bitmap, nullCount }
}

function fixedValues(values: Values, type: DeltaType): unknown {
  const n = values.length
  switch (type) {
    case 'byte': return Int8Array.from(values, (v) => (v === null ? 0 : Number(v)))
    case 'short': return Int16Array.from(values, (v) => (v === null ? 0 : Number(v)))
    case 'integer':
    case 'date': return Int32Array.from(values, (v) => (v === null ? 0 : Number(v)))
    case 'long':
    case 'timestamp':
    case 'timestamp_ntz': return BigInt64Array.from(values, (v) => (v === null ? 0n : BigInt(v as number | bigint)))
    case 'float': return Float32Array.from(values, (v) => (v === null ? 0 : Number(v)))
    case 'double': return Float64Array.from(values, (v) => (v === null ? 0 : Number(v)))
    case 'boolean': {
      const bits = newBitmap(n)
      for (let i = 0; i < n; i++) if (values[i] === true) setBit(bits, i)
      return bits
    }
  }
  if (decimalParams(type)) {
    const words = new Uint32Array(4 * n)
    const write = decimal128Writer(words)
    for (let i = 0; i < n; i++) write(i, (values[i] as bigint | null) ?? 0n)
    return words
  }
  return undefined
}

function variableValues(values: Values, type: 'string' | 'binary'): [Int32Array, Uint8Array] {
  const encoder = new TextEncoder()
  const parts = values.map((v) => (v === null ? new Uint8Array(0) : typeof v === 'string' ? encoder.encode(v) : (v as Uint8Array)))
  const offsets = new Int32Array(values.length + 1)
  let total = 0
  parts.forEach((p, i) => {
    total += p.length
    offsets[i + 1] = total
  })
  if (total > 0x7fffffff) throw new DeltaError('InvalidArgument', `a ${type} result of more than 2 GiB in one batch; write smaller batches`)
  const bytes = new Uint8Array(total)
  parts.forEach((p, i) => bytes.set(p, offsets[i]!))
  return [offsets, bytes]
}

/**
 * An Arrow vector of a primitive Delta type from values in their JS form (see `Scalar`), null
 * included, in the canonical Arrow type of `toArrowType`. The values must already have the
 * type's JS form (bigint for long, timestamps and decimals, number for the rest).
 */
export function vectorFromScalars(values: Values, type: DeltaType): Vector {
  const arrowType = toArrowType(type)
  const { bitmap, nullCount } = validity(values)
  const nulls = nullCount > 0 ? bitmap : undefined
  if (type === 'string' || type === 'binary') {
    const [offsets, bytes] = variableValues(values, type)
    return makeVector(new Data(arrowType, 0, values.length, nullCount, [offsets, bytes, nulls]))
  }
  const data = fixedValues(values, type)
  if (data === undefined) throw new DeltaError('UnsupportedFeature', `cannot build a column of type ${describeDeltaType(type)} from values`)
  return makeVector(new Data(arrowType, 0, values.length, nullCount, [undefined, data, nulls]))
}

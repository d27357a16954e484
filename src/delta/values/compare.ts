import { DeltaError } from '../engine/errors.js'
import type { Scalar } from '../model/scalar.js'
import { decimalParams, type DeltaType } from '../model/schema.js'
import { rescaleDecimal } from './decimal.js'

/** Which values can be compared with each other: a type's comparison family. */
export type TypeFamily = 'numeric' | 'string' | 'binary' | 'boolean' | 'date' | 'timestamp' | 'timestamp_ntz' | 'complex'

/** The comparison family of a Delta type (all numbers compare with each other). */
export function familyOf(type: DeltaType): TypeFamily {
  if (typeof type !== 'string') return 'complex'
  switch (type) {
    case 'string': return 'string'
    case 'binary': return 'binary'
    case 'boolean': return 'boolean'
    case 'date': return 'date'
    case 'timestamp': return 'timestamp'
    case 'timestamp_ntz': return 'timestamp_ntz'
    default: return 'numeric'
  }
}

/** True for `float` and `double`, whose NaN needs care in comparisons and skipping. */
export function isFloating(type: DeltaType): boolean {
  return type === 'float' || type === 'double'
}

/**
 * Compare strings by Unicode code point, as UTF-8 bytes sort (Spark, Arrow and Parquet stats),
 * not by UTF-16 unit as JS `<` does: they differ only when a surrogate meets a unit >= U+E000.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return fixupUnit(x) - fixupUnit(y)
  }
  return a.length - b.length
}

function fixupUnit(c: number): number {
  if (c < 0xd800) return c
  return c >= 0xe000 ? c - 0x800 : c + 0x2000
}

/** Compare byte strings lexicographically (unsigned). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!
  }
  return a.length - b.length
}

/**
 * Compare floating point numbers the way Spark SQL does: NaN equals NaN and sorts above every
 * other value, and -0 equals 0.
 */
export function compareFloats(a: number, b: number): number {
  if (a < b) return -1
  if (a > b) return 1
  if (a === b) return 0
  const an = Number.isNaN(a)
  const bn = Number.isNaN(b)
  return an === bn ? 0 : an ? 1 : -1
}

function sign(a: number | bigint, b: number | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Compare two non-null values of the same Delta type; negative, zero or positive. */
export function compareScalars(a: Scalar, b: Scalar, type: DeltaType): number {
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b)
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b)
  if (typeof a === 'number' && typeof b === 'number') return isFloating(type) ? compareFloats(a, b) : sign(a, b)
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b)
  if (typeof a === 'bigint' && typeof b === 'bigint') return sign(a, b)
  throw new DeltaError('Internal', `cannot compare ${typeof a} with ${typeof b} as ${JSON.stringify(type)}`)
}

/** A numeric value as an exact fraction `n / 10^scale`, or as a float when it is one. */
function toExact(v: Scalar, type: DeltaType): { n: bigint; scale: number } | number {
  if (isFloating(type)) return v as number
  const dec = decimalParams(type)
  if (dec) return { n: v as bigint, scale: dec.scale }
  return { n: typeof v === 'bigint' ? v : BigInt(v as number), scale: 0 }
}

function compareNumeric(a: Scalar, aType: DeltaType, b: Scalar, bType: DeltaType): number {
  const x = toExact(a, aType)
  const y = toExact(b, bType)
  if (typeof x === 'number' || typeof y === 'number') {
    const fx = typeof x === 'number' ? x : Number(x.n) / 10 ** x.scale
    const fy = typeof y === 'number' ? y : Number(y.n) / 10 ** y.scale
    return compareFloats(fx, fy)
  }
  const scale = Math.max(x.scale, y.scale)
  return sign(rescaleDecimal(x.n, x.scale, scale)!, rescaleDecimal(y.n, y.scale, scale)!)
}

/**
 * Compare values of possibly different types of one family (a column against another column of
 * another numeric type): integers and decimals exactly, floats as doubles.
 */
export function compareValues(a: Scalar, aType: DeltaType, b: Scalar, bType: DeltaType): number {
  if (aType === bType) return compareScalars(a, b, aType)
  if (familyOf(aType) === 'numeric' && familyOf(bType) === 'numeric') return compareNumeric(a, aType, b, bType)
  return compareScalars(a, b, aType)
}

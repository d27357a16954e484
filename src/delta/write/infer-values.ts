import { fitsPrecision } from '../arrow/decimal.js'
import { DeltaError } from '../engine/errors.js'
import { parseDecimalText } from '../values/decimal.js'
import { parseDateText, parseTimestampText } from '../values/temporal.js'
import type { Scalar } from '../model/scalar.js'
import { decimalParams, type PrimitiveType } from '../model/schema.js'

const INT_RANGE: Partial<Record<PrimitiveType, [bigint, bigint]>> = {
  byte: [-128n, 127n],
  short: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
}

const MS_PER_DAY = 86_400_000

/** Where a value sits, for errors: the column path and the row. */
export interface ValuePlace {
  path: string
  row: number
}

function describe(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`
  if (value instanceof Date) return `Date(${Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString()})`
  if (value instanceof Uint8Array) return `${value.length} bytes`
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object'
  return String(value)
}

function reject(value: unknown, type: PrimitiveType, at: ValuePlace, accepted: string): DeltaError {
  return new DeltaError('InvalidArgument', `column '${at.path}', row ${at.row}: ${describe(value)} is not a valid ${type}; pass ${accepted}`)
}

/**
 * One plain JavaScript value as the JS form of a primitive Delta type (scalar.ts), or
 * `InvalidArgument` naming the column, the row and the forms accepted:
 * - byte, short, integer: a whole number or bigint in range; long: a bigint, or a safe integer;
 * - float, double: a number;
 * - decimal(p,s): exact text (`'123.45'`, `'1.5e3'`), a number (taken as its shortest text,
 *   `0.1` is exactly 0.1), or a bigint holding the UNSCALED value (12345n is 123.45 in
 *   decimal(5,2), as scalar.ts); digits beyond the scale or the precision are refused, never
 *   rounded;
 * - string: a string; binary: a Uint8Array (a Buffer is one) or an ArrayBuffer; boolean: a boolean;
 * - date: a Date (its UTC calendar day), `'YYYY-MM-DD'`, or a whole number of days since 1970-01-01;
 * - timestamp: a Date, an ISO-8601 string (a zone shifts it to UTC; none means UTC), or a bigint
 *   of microseconds since the epoch; timestamp_ntz: the same, read as wall-clock time (a Date
 *   gives its UTC fields), and a string must not carry a zone.
 */
export function toScalar(value: unknown, type: PrimitiveType, at: ValuePlace): Scalar {
  switch (type) {
    case 'byte': case 'short': case 'integer': case 'long': return toInteger(value, type, at)
    case 'float': case 'double':
      if (typeof value === 'number') return value
      throw reject(value, type, at, 'a number')
    case 'string':
      if (typeof value === 'string') return value
      throw reject(value, type, at, 'a string')
    case 'boolean':
      if (typeof value === 'boolean') return value
      throw reject(value, type, at, 'true or false')
    case 'binary':
      if (value instanceof Uint8Array) return value
      if (value instanceof ArrayBuffer) return new Uint8Array(value)
      throw reject(value, type, at, 'a Uint8Array')
    case 'date': return toDate(value, at)
    case 'timestamp': case 'timestamp_ntz': return toTimestamp(value, type, at)
  }
  return toDecimal(value, type, at)
}

function toInteger(value: unknown, type: PrimitiveType, at: ValuePlace): number | bigint {
  const [lo, hi] = INT_RANGE[type]!
  const exact = typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value))
  const v = exact ? BigInt(value as number | bigint) : undefined
  if (v === undefined || v < lo || v > hi) {
    const accepted = type === 'long' ? `a bigint (or a safe integer number) between ${lo} and ${hi}` : `a whole number between ${lo} and ${hi}`
    throw reject(value, type, at, accepted)
  }
  return type === 'long' ? v : Number(v)
}

function toDecimal(value: unknown, type: PrimitiveType, at: ValuePlace): bigint {
  const { precision, scale } = decimalParams(type)!
  let v: bigint | undefined
  if (typeof value === 'bigint') v = value
  else if (typeof value === 'string') v = parseDecimalText(value, scale)
  else if (typeof value === 'number' && Number.isFinite(value)) v = parseDecimalText(String(value), scale)
  if (v === undefined || !fitsPrecision(v, precision)) {
    throw reject(value, type, at, `decimal text such as '12.5' or a number, with at most ${scale} digits after the point and ${precision} in all, or a bigint unscaled value`)
  }
  return v
}

function toDate(value: unknown, at: ValuePlace): number {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return Math.floor(value.getTime() / MS_PER_DAY)
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value
  const days = typeof value === 'string' ? parseDateText(value) : undefined
  if (days === undefined) throw reject(value, 'date', at, "a Date, 'YYYY-MM-DD' or a whole number of days since 1970-01-01")
  return days
}

function toTimestamp(value: unknown, type: 'timestamp' | 'timestamp_ntz', at: ValuePlace): bigint {
  if (typeof value === 'bigint') return value
  if (value instanceof Date && !Number.isNaN(value.getTime())) return BigInt(value.getTime()) * 1000n
  const parsed = typeof value === 'string' ? parseTimestampText(value) : undefined
  if (parsed && !(type === 'timestamp_ntz' && parsed.hasZone)) return parsed.micros
  const text = type === 'timestamp' ? 'an ISO-8601 string' : 'an ISO-8601 string without a zone'
  throw reject(value, type, at, `a Date, ${text} or a bigint of microseconds since 1970-01-01`)
}

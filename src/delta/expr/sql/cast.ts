import { DeltaError } from '../../engine/errors.js'
import type { Scalar } from '../../model/scalar.js'
import { decimalParams, type DeltaType } from '../../model/schema.js'
import { fitsPrecision, formatDecimal } from '../../values/decimal.js'
import { formatLiteral } from '../filter/format.js'
import { formatDate, formatTimestamp, parseDateText, parseTimestampText } from '../../values/temporal.js'
import { isIntegral, isNumeric, typeText } from './typing.js'

/**
 * CAST between Delta types, value by value, as Spark casts in ANSI mode: a value that does not
 * fit or does not parse is an error (`InvalidData`), never a silent NULL or wrap-around.
 * Decimals round half away from zero; timestamps without a zone are UTC (Spark would use the
 * session time zone).
 */

const MICROS_PER_DAY = 86_400_000_000n
const INT_RANGE: Record<string, [bigint, bigint]> = {
  byte: [-128n, 127n], short: [-32768n, 32767n], integer: [-2147483648n, 2147483647n], long: [-(2n ** 63n), 2n ** 63n - 1n],
}
const TEMPORAL = new Set<DeltaType>(['date', 'timestamp', 'timestamp_ntz'])
const TRUE_TEXT = new Set(['t', 'true', 'y', 'yes', '1'])
const FALSE_TEXT = new Set(['f', 'false', 'n', 'no', '0'])
const NUMBER_TEXT = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/

/** Whether CAST from one type to another is defined (checked when the expression is bound). */
export function canCast(from: DeltaType, to: DeltaType): boolean {
  if (typeof from !== 'string' || typeof to !== 'string') return false
  if (from === to || from === 'string' || to === 'string') return true
  if (from === 'binary' || to === 'binary') return false
  const numericOrBool = (t: DeltaType) => isNumeric(t) || t === 'boolean'
  if (numericOrBool(from) && numericOrBool(to)) return true
  if (TEMPORAL.has(from) && TEMPORAL.has(to)) return true
  if (isIntegral(from) && (to === 'timestamp' || to === 'timestamp_ntz')) return true
  return (from === 'timestamp' || from === 'timestamp_ntz') && to === 'long'
}

function castFailure(v: Scalar, from: DeltaType, to: DeltaType, why: string): DeltaError {
  return new DeltaError('InvalidData', `cannot cast ${formatLiteral(v, from)} (${typeText(from)}) to ${typeText(to)}: ${why}`)
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q
}

/** `v / 10^shift` rounded half away from zero. */
function divRoundHalfUp(v: bigint, shift: number): bigint {
  const div = 10n ** BigInt(shift)
  const q = v / div
  const r = v % div
  const twice = (r < 0n ? -r : r) * 2n
  return twice >= div ? q + (v < 0n ? -1n : 1n) : q
}

/** An unscaled value from `from` scale to `to` scale, rounding half away from zero. */
export function rescaleHalfUp(v: bigint, from: number, to: number): bigint {
  return to >= from ? v * 10n ** BigInt(to - from) : divRoundHalfUp(v, from - to)
}

/** Decimal or scientific text as an unscaled value at `scale` (rounded half up), or undefined. */
function unscaledFromText(text: string, scale: number): bigint | undefined {
  const m = NUMBER_TEXT.exec(text.trim())
  if (!m || (m[2] ?? '') + (m[3] ?? '') === '') return undefined
  const exponent = Number(m[4] ?? 0) - (m[3] ?? '').length
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 10_000) return undefined
  const digits = BigInt((m[2] ?? '') + (m[3] ?? '') || '0') * (m[1] === '-' ? -1n : 1n)
  const shift = exponent + scale
  return shift >= 0 ? digits * 10n ** BigInt(shift) : divRoundHalfUp(digits, -shift)
}

function toIntegral(v: Scalar, from: DeltaType, to: DeltaType): Scalar {
  let n: bigint | undefined
  const dec = decimalParams(from)
  if (typeof v === 'boolean') n = v ? 1n : 0n
  else if (dec) n = (v as bigint) / 10n ** BigInt(dec.scale)
  else if (from === 'timestamp' || from === 'timestamp_ntz') n = floorDiv(v as bigint, 1_000_000n)
  else if (typeof v === 'bigint') n = v
  else if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw castFailure(v, from, to, 'it is not a finite number')
    n = BigInt(Math.trunc(v))
  } else if (typeof v === 'string') {
    const m = /^([+-]?\d+)(?:\.\d*)?$/.exec(v.trim())
    if (!m) throw castFailure(v, from, to, 'it is not a number')
    n = BigInt(m[1]!)
  }
  const [lo, hi] = INT_RANGE[to as string]!
  if (n === undefined || n < lo || n > hi) throw castFailure(v, from, to, `out of range (${lo} to ${hi})`)
  return to === 'long' ? n : Number(n)
}

function toDecimal(v: Scalar, from: DeltaType, to: DeltaType, precision: number, scale: number): bigint {
  let n: bigint | undefined
  const dec = decimalParams(from)
  if (typeof v === 'boolean') n = (v ? 1n : 0n) * 10n ** BigInt(scale)
  else if (dec) n = rescaleHalfUp(v as bigint, dec.scale, scale)
  else if (typeof v === 'bigint' || (typeof v === 'number' && isIntegral(from))) n = BigInt(v) * 10n ** BigInt(scale)
  else if (typeof v === 'number') n = Number.isFinite(v) ? unscaledFromText(String(v), scale) : undefined
  else if (typeof v === 'string') n = unscaledFromText(v, scale)
  if (n === undefined) throw castFailure(v, from, to, 'it is not a finite number')
  if (!fitsPrecision(n, precision)) throw castFailure(v, from, to, `it needs more than ${precision} digits`)
  return n
}

function toFloating(v: Scalar, from: DeltaType, to: DeltaType): number {
  let n: number
  const dec = decimalParams(from)
  if (typeof v === 'boolean') n = v ? 1 : 0
  else if (dec) n = Number(formatDecimal(v as bigint, dec.scale))
  else if (typeof v === 'string') n = parseFloatText(v) ?? NaN
  else n = Number(v)
  if (typeof v === 'string' && Number.isNaN(n) && !/^\s*[+-]?nan\s*$/i.test(v)) throw castFailure(v, from, to, 'it is not a number')
  return to === 'float' ? Math.fround(n) : n
}

function parseFloatText(text: string): number | undefined {
  const t = text.trim().toLowerCase().replace(/^\+/, '')
  if (t === 'nan') return NaN
  if (t === 'infinity' || t === 'inf') return Infinity
  if (t === '-infinity' || t === '-inf') return -Infinity
  return NUMBER_TEXT.test(t) && /\d/.test(t) ? Number(t) : undefined
}

/** A double as Java prints it (`1.0`, `1.0E10`, `1.234E-5`), which is what Spark's CAST gives. */
export function formatDouble(n: number, float = false): string {
  if (Number.isNaN(n)) return 'NaN'
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity'
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0'
  const shortest = float ? shortestFloat(n) : n
  const abs = Math.abs(shortest)
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(shortest)
    return s.includes('.') ? s : `${s}.0`
  }
  const [mantissa, exp] = shortest.toExponential().split('e') as [string, string]
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exp.replace('+', '')}`
}

/** The shortest decimal that reads back as the same 32-bit float. */
function shortestFloat(n: number): number {
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(n.toPrecision(p))
    if (Math.fround(candidate) === n) return candidate
  }
  return n
}

/** A timestamp as Spark prints it: `YYYY-MM-DD HH:MM:SS[.fraction]`, trailing zeros dropped. */
function formatSqlTimestamp(micros: bigint): string {
  return formatTimestamp(micros, ' ').replace(/\.?0+$/, '')
}

function toText(v: Scalar, from: DeltaType): string {
  const dec = decimalParams(from)
  if (dec) return formatDecimal(v as bigint, dec.scale)
  if (from === 'date') return formatDate(v as number)
  if (from === 'timestamp' || from === 'timestamp_ntz') return formatSqlTimestamp(v as bigint)
  if (from === 'float' || from === 'double') return formatDouble(v as number, from === 'float')
  if (v instanceof Uint8Array) return new TextDecoder().decode(v)
  return String(v)
}

function toDate(v: Scalar, from: DeltaType, to: DeltaType): number {
  if (from === 'timestamp' || from === 'timestamp_ntz') return Number(floorDiv(v as bigint, MICROS_PER_DAY))
  if (typeof v === 'string') {
    const m = /^([+-]?\d{4,6}-\d{1,2}-\d{1,2})(?:[T ].*)?$/.exec(v.trim())
    const days = m ? parseDateText(m[1]!) : undefined
    if (days === undefined) throw castFailure(v, from, to, 'it is not a date (YYYY-MM-DD)')
    return days
  }
  return v as number
}

function toTimestamp(v: Scalar, from: DeltaType, to: DeltaType): bigint {
  if (from === 'date') return BigInt(v as number) * MICROS_PER_DAY
  if (isIntegral(from)) return BigInt(v as number | bigint) * 1_000_000n
  if (typeof v === 'string') {
    const ts = parseTimestampText(v)
    if (!ts) throw castFailure(v, from, to, 'it is not a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff][zone])')
    if (ts.hasZone && to === 'timestamp_ntz') throw castFailure(v, from, to, 'a timestamp_ntz has no time zone')
    return ts.micros
  }
  return v as bigint
}

function toBoolean(v: Scalar, from: DeltaType, to: DeltaType): boolean {
  if (typeof v === 'string') {
    const t = v.trim().toLowerCase()
    if (TRUE_TEXT.has(t)) return true
    if (FALSE_TEXT.has(t)) return false
    throw castFailure(v, from, to, 'it is not true or false')
  }
  if (typeof v === 'bigint') return v !== 0n
  return typeof v === 'number' ? v !== 0 : Boolean(v)
}

/**
 * Cast one non-null value from one Delta type to another (`canCast` must hold). Throws
 * `InvalidData` naming the value when it does not fit the target.
 */
export function castScalar(v: Scalar, from: DeltaType, to: DeltaType): Scalar {
  if (from === to) return v
  if (typeof to !== 'string') throw castFailure(v, from, to, 'complex types cannot be cast')
  if (INT_RANGE[to]) return toIntegral(v, from, to)
  const dec = decimalParams(to)
  if (dec) return toDecimal(v, from, to, dec.precision, dec.scale)
  switch (to) {
    case 'float':
    case 'double': return toFloating(v, from, to)
    case 'string': return toText(v, from)
    case 'date': return toDate(v, from, to)
    case 'timestamp':
    case 'timestamp_ntz': return toTimestamp(v, from, to)
    case 'boolean': return toBoolean(v, from, to)
    case 'binary': return typeof v === 'string' ? new TextEncoder().encode(v) : v
  }
  throw castFailure(v, from, to, 'unsupported target type')
}

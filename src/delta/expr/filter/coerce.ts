import type { Scalar } from '../../model/scalar.js'
import { decimalParams, type DeltaType } from '../../model/schema.js'
import { fitsPrecision, parseDecimalText } from '../../values/decimal.js'
import { integerRange, isFloatText } from '../../values/number-text.js'
import { parseDateText, parseTimestampText } from '../../values/temporal.js'

/** A literal as written in a filter, before it meets a column type. */
export type RawLiteral =
  | { form: 'number'; text: string }
  | { form: 'string'; text: string }
  | { form: 'boolean'; value: boolean }
  | { form: 'null' }
  | { form: 'date' | 'timestamp' | 'timestamp_ntz'; text: string }
  | { form: 'binary'; bytes: Uint8Array }

/** The outcome of typing a literal: its value, or why it does not fit. */
export type Coerced = { ok: true; value: Scalar | null } | { ok: false; reason: string }

const SPECIAL_FLOATS: Record<string, number> = { nan: NaN, infinity: Infinity, '+infinity': Infinity, '-infinity': -Infinity }

const fail = (reason: string): Coerced => ({ ok: false, reason })
const ok = (value: Scalar | null): Coerced => ({ ok: true, value })

function numericText(raw: RawLiteral): string | undefined {
  return raw.form === 'number' || raw.form === 'string' ? raw.text : undefined
}

function coerceInteger(raw: RawLiteral, type: string, [lo, hi]: readonly [bigint, bigint]): Coerced {
  const text = numericText(raw)
  if (text === undefined) return fail(`expected a whole number for a ${type} column`)
  const v = parseDecimalText(text, 0)
  if (v === undefined) return fail(`'${text}' is not a whole number`)
  if (v < lo || v > hi) return fail(`${text} is out of range for ${type} (${lo} to ${hi})`)
  return ok(type === 'long' ? v : Number(v))
}

function coerceFloat(raw: RawLiteral, type: string): Coerced {
  const text = numericText(raw)?.trim()
  if (text === undefined) return fail(`expected a number for a ${type} column`)
  const special = SPECIAL_FLOATS[text.toLowerCase()]
  if (special !== undefined) return ok(special)
  if (!isFloatText(text)) return fail(`'${text}' is not a number`)
  return ok(Number(text))
}

function coerceDecimal(raw: RawLiteral, type: string, precision: number, scale: number): Coerced {
  const text = numericText(raw)
  if (text === undefined) return fail(`expected a number for a ${type} column`)
  const v = parseDecimalText(text, scale)
  if (v === undefined) return fail(`'${text}' is not a number with at most ${scale} decimal places, as ${type} needs`)
  if (!fitsPrecision(v, precision)) return fail(`${text} has more digits than ${type} allows`)
  return ok(v)
}

function coerceDate(raw: RawLiteral): Coerced {
  if (raw.form !== 'date' && raw.form !== 'string') return fail(`expected DATE 'YYYY-MM-DD' for a date column`)
  const days = parseDateText(raw.text)
  return days === undefined ? fail(`'${raw.text}' is not a valid date (YYYY-MM-DD)`) : ok(days)
}

function coerceTimestamp(raw: RawLiteral, ntz: boolean): Coerced {
  const want = ntz ? 'timestamp_ntz' : 'timestamp'
  if (raw.form === 'date') {
    const days = parseDateText(raw.text)
    return days === undefined ? fail(`'${raw.text}' is not a valid date`) : ok(BigInt(days) * 86_400_000_000n)
  }
  const allowed = raw.form === 'string' || raw.form === want || (ntz && raw.form === 'timestamp')
  if (!allowed) return fail(`expected a ${ntz ? "TIMESTAMP_NTZ '...'" : "TIMESTAMP '...'"} literal for a ${want} column`)
  const ts = parseTimestampText(raw.text)
  if (!ts) return fail(`'${raw.text}' is not a valid timestamp (YYYY-MM-DD HH:MM:SS[.ffffff][zone], at most microseconds)`)
  if (ntz && ts.hasZone) return fail(`'${raw.text}' has a time zone, but timestamp_ntz values are wall-clock times without one`)
  return ok(ts.micros)
}

/**
 * Type a literal against a column's Delta type, exactly: numbers for decimals become unscaled
 * bigints without passing through floats, strings become dates or timestamps where the column
 * wants them (zone-less timestamps are UTC for `timestamp`, wall time for `timestamp_ntz`).
 */
export function coerceLiteral(raw: RawLiteral, type: DeltaType): Coerced {
  if (raw.form === 'null') return ok(null)
  if (typeof type !== 'string') return fail('struct, array and map columns cannot be compared with a value')
  const range = integerRange(type)
  if (range) return coerceInteger(raw, type, range)
  const dec = decimalParams(type)
  if (dec) return coerceDecimal(raw, type, dec.precision, dec.scale)
  switch (type) {
    case 'float':
    case 'double': return coerceFloat(raw, type)
    case 'date': return coerceDate(raw)
    case 'timestamp': return coerceTimestamp(raw, false)
    case 'timestamp_ntz': return coerceTimestamp(raw, true)
    case 'string': return raw.form === 'string' ? ok(raw.text) : fail(`expected a quoted string for a string column`)
    case 'binary':
      if (raw.form === 'binary') return ok(raw.bytes)
      return raw.form === 'string' ? ok(new TextEncoder().encode(raw.text)) : fail(`expected X'hex' or a string for a binary column`)
    case 'boolean': return coerceBoolean(raw)
  }
  return fail(`unsupported column type ${type}`)
}

function coerceBoolean(raw: RawLiteral): Coerced {
  if (raw.form === 'boolean') return ok(raw.value)
  if (raw.form === 'string' && /^(true|false)$/i.test(raw.text)) return ok(raw.text.toLowerCase() === 'true')
  return fail('expected TRUE or FALSE for a boolean column')
}

/**
 * The type a literal has on its own (when no column gives it one): whole numbers are `long`,
 * other plain decimals `decimal(p,s)`, scientific numbers `double`.
 */
export function naturalType(raw: RawLiteral): DeltaType {
  switch (raw.form) {
    case 'number': return naturalNumberType(raw.text)
    case 'string': return 'string'
    case 'boolean': return 'boolean'
    case 'binary': return 'binary'
    case 'null': return 'boolean'
    default: return raw.form
  }
}

function naturalNumberType(text: string): DeltaType {
  if (/[eE]/.test(text)) return 'double'
  const [int = '', frac = ''] = text.replace(/^[+-]/, '').split('.')
  if (frac === '') return coerceInteger({ form: 'number', text }, 'long', integerRange('long')!).ok ? 'long' : 'double'
  const precision = Math.max(int.replace(/^0+/, '').length + frac.length, frac.length, 1)
  return precision <= 38 ? `decimal(${precision},${frac.length})` : 'double'
}

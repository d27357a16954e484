/**
 * Dates and timestamps as text, converted exactly (no `Date`, no floats): Delta dates are days
 * since 1970-01-01 and timestamps are bigint microseconds, and the range (years 0001-9999 and
 * beyond) is wider than `Date` parsing handles reliably. Parsing lives here; formatting is
 * `arrow/temporal.ts` (the lower layer), used with the years SQL text and partition values want.
 */

import { formatDate as formatDateText, formatTimestamp as formatTimestampText } from '../arrow/temporal.js'

export { civilFromDays } from '../arrow/temporal.js'

const DATE_RE = /^([+-]?\d{4,6})-(\d{1,2})-(\d{1,2})$/
const TIMESTAMP_RE =
  /^([+-]?\d{4,6})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{0,9}))?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i

/** Days since 1970-01-01 of a proleptic Gregorian calendar date (the civil-from-days inverse). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = month > 2 ? month - 3 : month + 9
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
}

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false
  const len = m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31
  return d <= len
}

/** Days since the epoch of `YYYY-MM-DD`, or undefined when the text is not a valid date. */
export function parseDateText(text: string): number | undefined {
  const m = DATE_RE.exec(text.trim())
  if (!m) return undefined
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  return validDate(y, mo, d) ? daysFromCivil(y, mo, d) : undefined
}

/** A parsed timestamp: microseconds as written (wall time minus any zone offset), and whether a zone was given. */
export interface ParsedTimestamp {
  micros: bigint
  hasZone: boolean
}

/**
 * Parse `YYYY-MM-DD[( |T)HH:MM[:SS[.fffffffff]]][Z|UTC|+HH:MM|+HHMM|+HH]`. A zone shifts the
 * value to UTC. Digits beyond microseconds must be zero (undefined otherwise): silently
 * truncating would change which rows a filter selects.
 */
export function parseTimestampText(text: string): ParsedTimestamp | undefined {
  const m = TIMESTAMP_RE.exec(text.trim())
  if (!m) return undefined
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const [h, mi, s] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)]
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined
  const frac = (m[7] ?? '').padEnd(9, '0')
  if (frac.slice(6) !== '000') return undefined
  const offset = parseZoneOffset(m[8])
  if (offset === undefined) return undefined
  const seconds = BigInt(daysFromCivil(y, mo, d)) * 86_400n + BigInt(h * 3600 + mi * 60 + s - offset)
  return { micros: seconds * 1_000_000n + BigInt(frac.slice(0, 6)), hasZone: m[8] !== undefined }
}

/** Offset of a zone designator in seconds east of UTC; 0 when absent; undefined when invalid. */
function parseZoneOffset(zone: string | undefined): number | undefined {
  if (zone === undefined) return 0
  const z = zone.toUpperCase()
  if (z === 'Z' || z === 'UTC') return 0
  const digits = z.slice(1).replace(':', '')
  const hh = Number(digits.slice(0, 2))
  const mm = digits.length > 2 ? Number(digits.slice(2, 4)) : 0
  if (hh > 18 || mm > 59) return undefined
  const sign = z[0] === '-' ? -1 : 1
  return sign * (hh * 3600 + mm * 60)
}

/** `YYYY-MM-DD` of a day count since the epoch, years beyond 0000-9999 as Spark writes them (`+10000`, `-0001`). */
export function formatDate(days: number): string {
  return formatDateText(days, 'java')
}

/**
 * A microsecond timestamp as `YYYY-MM-DD<sep>HH:MM:SS.ffffff` without a zone (always six fraction
 * digits, so the text is exact and sorts like the value within a year range); years as in {@link formatDate}.
 */
export function formatTimestamp(micros: bigint, sep: 'T' | ' ' = 'T'): string {
  return formatTimestampText(micros, false, { separator: sep, years: 'java' })
}

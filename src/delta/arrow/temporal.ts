/**
 * Dates and timestamps as text, by integer arithmetic only (no `Date`, no floats): Delta dates
 * are days since 1970-01-01 and timestamps bigint microseconds, in the proleptic Gregorian
 * calendar, over a range wider than `Date` handles. The one implementation: the expression
 * layer, partition values, stats and the conformance tests all format through here.
 */

/** Microseconds in one day. */
export const MICROS_PER_DAY = 86_400_000_000n

/** a / b rounded towards negative infinity (bigint `/` truncates, wrong before 1970). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q
}

/**
 * How a year outside 0000-9999 is written. `'iso'`: ISO 8601's expanded form, sign and six
 * digits (`+010000`, `-000001`), which cannot be mistaken for a four-digit year. `'java'`: as
 * Java and Spark print it (`+10000`, `-0001`), the form of partition values and SQL literals.
 */
export type YearStyle = 'iso' | 'java'

/** Year, month (1-12) and day of a day count since 1970-01-01. Any year works (JS Date stops at +-275760). */
export function civilFromDays(days: number): [number, number, number] {
  // Shift to an era-based count starting 0000-03-01 so leap days fall at the end of a year.
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day]
}

/** The civil date of a day count since 1970-01-01 as `YYYY-MM-DD`. */
export function formatDate(days: number, years: YearStyle = 'iso'): string {
  const [y, m, d] = civilFromDays(days)
  return `${formatYear(y, years)}-${pad(m, 2)}-${pad(d, 2)}`
}

/** Options of {@link formatTimestamp}. */
export interface TimestampTextOptions {
  /** Between date and time: `'T'` (ISO 8601, the default) or `' '` (SQL and partition values). */
  separator?: 'T' | ' '
  /** How years outside 0000-9999 are written; `'iso'` by default. */
  years?: YearStyle
}

/**
 * Microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffff`, with a `Z` when `utc`
 * (a `timestamp`; a `timestamp_ntz` is wall-clock time and gets none). Exact to the microsecond,
 * always six fraction digits, so the text sorts like the value within a year range.
 */
export function formatTimestamp(micros: bigint, utc: boolean, opts: TimestampTextOptions = {}): string {
  const days = floorDiv(micros, MICROS_PER_DAY)
  let rest = Number(micros - days * MICROS_PER_DAY)
  const fraction = rest % 1_000_000
  rest = (rest - fraction) / 1_000_000
  const s = rest % 60
  const mi = ((rest - s) / 60) % 60
  const h = Math.floor(rest / 3600)
  const time = `${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(fraction, 6)}`
  return `${formatDate(Number(days), opts.years)}${opts.separator ?? 'T'}${time}${utc ? 'Z' : ''}`
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0')
}

function formatYear(y: number, style: YearStyle): string {
  if (y >= 0 && y <= 9999) return pad(y, 4)
  if (style === 'java') return y < 0 ? `-${pad(-y, 4)}` : `+${y}`
  return (y < 0 ? '-' : '+') + pad(Math.abs(y), 6)
}

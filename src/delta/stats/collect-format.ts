import { formatDecimal } from '../arrow/decimal.js'
import { floorDiv, formatDate, formatTimestamp } from '../arrow/temporal.js'
import { formatDouble } from '../expr/sql/cast.js'
import type { Scalar } from '../model/scalar.js'
import { decimalParams, type PrimitiveType } from '../model/schema.js'

/**
 * How Spark writes stat values (Jackson through `to_json`), reproduced so that our stats read
 * the same in every engine and compare byte for byte with Spark's:
 * - integers as JSON integers, longs exact at any magnitude (never through a double);
 * - floats and doubles as Java prints them (`0.0`, `46.566`, `4.661261177E7`), NaN and the
 *   infinities as the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (Jackson quotes them);
 * - decimals as Java's BigDecimal.toString: plain with all scale digits (`-3.346000`), or
 *   scientific when the exponent is below -6 (`-3.1661E-8`, `0E-10`): exact, never a double;
 * - dates `YYYY-MM-DD`; timestamps with milliseconds, truncated down (`...T11:11:11.123Z`; a
 *   timestamp_ntz has no `Z`): readers widen a max by 999 microseconds.
 */
export function formatStatValue(value: Scalar, type: PrimitiveType): string {
  switch (type) {
    case 'byte': case 'short': case 'integer': case 'long':
      return String(value)
    case 'float': case 'double':
      return formatFloating(value as number, type === 'float')
    case 'string':
      return JSON.stringify(value)
    case 'date':
      return `"${formatDate(value as number)}"`
    case 'timestamp': case 'timestamp_ntz':
      return `"${formatMillis(value as bigint, type === 'timestamp')}"`
  }
  const dec = decimalParams(type)
  if (dec) return formatJavaDecimal(value as bigint, dec.scale)
  throw new Error(`no stats format for ${type}`)
}

function formatFloating(n: number, float: boolean): string {
  const text = formatDouble(n, float)
  return Number.isFinite(n) ? text : `"${text}"`
}

/** Microseconds as ISO-8601 with milliseconds (floored), `Z` when `utc`. */
function formatMillis(micros: bigint, utc: boolean): string {
  const full = formatTimestamp(floorDiv(micros, 1000n) * 1000n, false)
  return `${full.slice(0, -3)}${utc ? 'Z' : ''}`
}

/** A decimal as Java's `BigDecimal.toString()` prints it (scale >= 0). */
export function formatJavaDecimal(unscaled: bigint, scale: number): string {
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString()
  const exponent = digits.length - 1 - scale
  if (exponent >= -6) return formatDecimal(unscaled, scale)
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits
  return `${unscaled < 0n ? '-' : ''}${mantissa}E${exponent}`
}

/** Spark's default `spark.databricks.delta.stats.skipping.string.prefixLength`. */
export const STRING_PREFIX_LENGTH = 32

const ASCII_MAX = '\u007f'
const UTF8_MAX = '\u{10ffff}'

/**
 * A string min cut to its first `prefix` code points, as Spark's `substring` cuts it: a prefix
 * is never greater than the string.
 */
export function truncateMinString(s: string, prefix = STRING_PREFIX_LENGTH): string {
  if (s.length <= prefix) return s
  let units = 0
  for (let points = 0; points < prefix && units < s.length; points++) units += isPair(s, units) ? 2 : 1
  return s.slice(0, units)
}

function isPair(s: string, i: number): boolean {
  const hi = s.charCodeAt(i)
  const lo = s.charCodeAt(i + 1)
  return hi >= 0xd800 && hi <= 0xdbff && lo >= 0xdc00 && lo <= 0xdfff
}

/**
 * A string max cut as delta-spark's `truncateMaxStringAgg` cuts it, so the result is still at
 * least every value in UTF-8 order: strings of up to `prefix` UTF-16 units stay whole; longer
 * ones keep `prefix` units (one more rather than split a surrogate pair), then a tie-breaker,
 * U+007F when the next character is below it, else U+10FFFF (the largest code point; a
 * U+10FFFF in the string is kept and the cut moves past it). When no cut within `2 * prefix`
 * units works, there is no max (undefined). Our reader (stats.ts) trusts a max of 32 or more
 * code points only when it ends in one of the two tie-breakers, which this guarantees.
 */
export function truncateMaxString(s: string, prefix = STRING_PREFIX_LENGTH): string | undefined {
  if (s.length <= prefix) return s
  let len = isPair(s, prefix - 1) ? prefix + 1 : prefix
  while (len <= 2 * prefix) {
    if (len >= s.length) return s
    if (s.startsWith(UTF8_MAX, len)) {
      len += 2
    } else {
      return s.slice(0, len) + (s.charCodeAt(len) < 0x7f ? ASCII_MAX : UTF8_MAX)
    }
  }
  return undefined
}

/** Microseconds in one day. */
export const MICROS_PER_DAY = 86_400_000_000n

/** a / b rounded towards negative infinity (bigint `/` truncates, wrong before 1970). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q
}

/**
 * The civil date of a day count since 1970-01-01 in the proleptic Gregorian calendar, as
 * `YYYY-MM-DD`. Pure integer arithmetic, so any year works (JS Date stops at +-275760).
 */
export function formatDate(days: number): string {
  // Shift to an era-based count starting 0000-03-01 so leap days fall at the end of a year.
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0)
  return `${formatYear(y)}-${pad2(m)}-${pad2(d)}`
}

/**
 * Microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffff`, with a `Z` when `utc`
 * (a `timestamp`; a `timestamp_ntz` is wall-clock time and gets none). Exact to the microsecond.
 */
export function formatTimestamp(micros: bigint, utc: boolean): string {
  const days = floorDiv(micros, MICROS_PER_DAY)
  let rest = Number(micros - days * MICROS_PER_DAY)
  const fraction = rest % 1_000_000
  rest = (rest - fraction) / 1_000_000
  const s = rest % 60
  const mi = ((rest - s) / 60) % 60
  const h = Math.floor(rest / 3600)
  const frac = String(fraction).padStart(6, '0')
  return `${formatDate(Number(days))}T${pad2(h)}:${pad2(mi)}:${pad2(s)}.${frac}${utc ? 'Z' : ''}`
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

function formatYear(y: number): string {
  if (y >= 0 && y <= 9999) return String(y).padStart(4, '0')
  return (y < 0 ? '-' : '+') + String(Math.abs(y)).padStart(6, '0')
}

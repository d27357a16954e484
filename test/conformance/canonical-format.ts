/**
 * The scalar text forms of the corpus's canonical values, and the exact integer decoding they
 * start from. Everything goes through integers (days, microseconds, unscaled decimals as
 * bigint) so no value is ever rounded on the way.
 */

const TWO_53 = 2n ** 53n

/** A long as the corpus writes it: a number up to 2^53 in magnitude, a decimal string beyond. */
export function toCanonicalLong(v: bigint): number | string {
  return v <= TWO_53 && v >= -TWO_53 ? Number(v) : v.toString()
}

/**
 * An unscaled decimal as a string with exactly `scale` fraction digits (`12345n, 2` ->
 * `"123.45"`). A number must be a safe integer, so its digits are exact.
 */
export function formatDecimal(unscaled: bigint | number, scale: number): string {
  const negative = unscaled < 0
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0')
  const whole = digits.slice(0, digits.length - scale)
  const text = scale > 0 ? `${whole}.${digits.slice(digits.length - scale)}` : whole
  return negative ? `-${text}` : text
}

/**
 * Proleptic Gregorian year, month and day of a day count since 1970-01-01, by the
 * era/day-of-era method, so dates far outside the JavaScript Date range still format.
 */
function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0)
  return [year, month, day]
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0')

function formatYear(year: number): string {
  // ISO 8601 expanded years outside 0000-9999, so they cannot collide with four-digit ones.
  if (year >= 0 && year <= 9999) return pad(year, 4)
  return `${year < 0 ? '-' : '+'}${pad(Math.abs(year), 6)}`
}

/** `YYYY-MM-DD` of a day count since 1970-01-01. */
export function formatDateDays(days: number): string {
  const [y, m, d] = civilFromDays(days)
  return `${formatYear(y)}-${pad(m, 2)}-${pad(d, 2)}`
}

const MICROS_PER_DAY = 86_400_000_000n

/**
 * `YYYY-MM-DDTHH:MM:SS.ffffff` of microseconds since the epoch, with a trailing `Z` for
 * `timestamp` (UTC) and without for `timestamp_ntz` (wall-clock time).
 */
export function formatTimestampMicros(micros: bigint, utc: boolean): string {
  let days = micros / MICROS_PER_DAY
  let rest = micros % MICROS_PER_DAY
  if (rest < 0n) {
    rest += MICROS_PER_DAY
    days -= 1n
  }
  const r = Number(rest)
  const fraction = r % 1_000_000
  const seconds = Math.floor(r / 1_000_000)
  const time = `${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${pad(seconds % 60, 2)}`
  return `${formatDateDays(Number(days))}T${time}.${pad(fraction, 6)}${utc ? 'Z' : ''}`
}

/** Signed integer of `count` little-endian 32-bit words (Arrow's Decimal128/256 layout). */
export function fromLittleEndianWords(words: Uint32Array, start: number, count: number): bigint {
  let v = 0n
  for (let k = count - 1; k >= 0; k--) v = (v << 32n) | BigInt(words[start + k]!)
  return BigInt.asIntN(count * 32, v)
}

/** Signed integer of big-endian two's complement bytes (Parquet's decimal byte layout). */
export function fromBigEndianBytes(bytes: Uint8Array): bigint {
  let v = 0n
  for (const b of bytes) v = (v << 8n) | BigInt(b)
  return bytes.length === 0 ? 0n : BigInt.asIntN(bytes.length * 8, v)
}

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

// Dates and timestamps format through the library's one implementation: years outside
// 0000-9999 in ISO 8601's expanded form, so they cannot collide with four-digit ones.
export { formatDate as formatDateDays, formatTimestamp as formatTimestampMicros } from '../../src/delta/arrow/temporal.js'

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

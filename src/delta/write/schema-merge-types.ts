import { decimalParams, type PrimitiveType } from '../model/schema.js'

/**
 * How a primitive type of incoming data relates to the table's type of the same column:
 * - `same`: identical;
 * - `castable`: every value converts exactly to the table's type, so the data is accepted as it
 *   is (an integer into a long, a float into a double, a narrower decimal into a wider one);
 * - `widen`: the table's type can be widened to the data's under the protocol's type widening,
 *   as schema evolution applies it automatically;
 * - `incompatible`: neither.
 */
export type TypeRelation = 'same' | 'castable' | 'widen' | 'incompatible'

const INTEGER_RANK: Partial<Record<PrimitiveType, number>> = { byte: 1, short: 2, integer: 3, long: 4 }
// Decimal digits every value of an integer type may need.
const INTEGER_DIGITS: Partial<Record<PrimitiveType, number>> = { byte: 3, short: 5, integer: 10, long: 19 }

/** The relation of the data's primitive type to the table's (see {@link TypeRelation}). */
export function relatePrimitives(table: PrimitiveType, data: PrimitiveType): TypeRelation {
  if (table === data) return 'same'
  if (isLosslessCast(data, table)) return 'castable'
  if (isAutomaticWidening(table, data)) return 'widen'
  return 'incompatible'
}

/**
 * True when every value of `from` converts exactly to `to`, and our Arrow conversion
 * (arrow/conform.ts) performs that conversion. timestamp and timestamp_ntz never mix: one is an
 * instant, the other a wall-clock time.
 */
export function isLosslessCast(from: PrimitiveType, to: PrimitiveType): boolean {
  const fromRank = INTEGER_RANK[from]
  const toRank = INTEGER_RANK[to]
  if (fromRank !== undefined && toRank !== undefined) return fromRank < toRank
  if (to === 'double') return from === 'float' || (fromRank !== undefined && fromRank <= 3)
  if (from === 'date') return to === 'timestamp_ntz'
  const target = decimalParams(to)
  if (!target) return false
  const source = decimalParams(from)
  if (source) return target.scale >= source.scale && target.precision - target.scale >= source.precision - source.scale
  const digits = INTEGER_DIGITS[from]
  return digits !== undefined && target.precision - target.scale >= digits
}

/**
 * True when the protocol's type widening allows changing a column of type `from` to `to` and
 * schema evolution applies it without being asked (Delta: integer to wider integer, float to
 * double, date to timestamp_ntz, decimal(p, s) to decimal(p + k1, s + k2) with k1 >= k2 >= 0).
 * Integers to double or decimal are valid widenings too, but Delta refuses to make them
 * automatically (values would silently change type family), so this does as well.
 */
export function isAutomaticWidening(from: PrimitiveType, to: PrimitiveType): boolean {
  const fromRank = INTEGER_RANK[from]
  const toRank = INTEGER_RANK[to]
  if (fromRank !== undefined && toRank !== undefined) return fromRank < toRank
  if (from === 'float') return to === 'double'
  if (from === 'date') return to === 'timestamp_ntz'
  const a = decimalParams(from)
  const b = decimalParams(to)
  if (!a || !b) return false
  const k1 = b.precision - a.precision
  const k2 = b.scale - a.scale
  return k1 >= k2 && k2 >= 0 && (k1 > 0 || k2 > 0)
}

import { DeltaError } from '../engine/errors.js'
import { fitsPrecision, formatDecimal, parseDecimalText } from './decimal.js'
import { integerRange, isFloatText } from './number-text.js'
import { formatDate, formatTimestamp, parseDateText, parseTimestampText } from './temporal.js'
import type { Scalar } from '../model/scalar.js'
import { decimalParams, type DeltaType } from '../model/schema.js'

/** The folder value Hive, Spark and delta-rs use for a NULL partition value. */
export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__'

const SPECIAL_FLOATS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity }

function invalid(raw: string, type: DeltaType, hint: string): DeltaError {
  return new DeltaError('InvalidLog', `partition value '${raw}' is not a valid ${JSON.stringify(type)} (${hint}); the table's log is inconsistent with its schema`)
}

/**
 * The typed value of a partition value as the log stores it (PROTOCOL.md "Partition Value
 * Serialization"): null, the empty string (for every type, strings included) and
 * `__HIVE_DEFAULT_PARTITION__` are NULL; timestamps come as ISO-8601 with a zone
 * (`2024-01-01T10:00:00.000000Z`, as we write them) or zone-less `YYYY-MM-DD HH:MM:SS[.ffffff]`,
 * read as UTC (the protocol says "in the writer's zone", which the log does not record; every
 * writer we know of writes UTC there); `timestamp_ntz` only zone-less; decimals are exact; binary is the UTF-8 bytes of the text.
 * A value that does not fit its type is `InvalidLog`.
 */
export function parsePartitionValue(raw: string | null | undefined, type: DeltaType): Scalar | null {
  if (raw === null || raw === undefined || raw === '' || raw === HIVE_DEFAULT_PARTITION) return null
  if (typeof type !== 'string') throw new DeltaError('InvalidLog', `a partition column has the complex type ${type.type}; partition columns must be primitive`)
  const range = integerRange(type)
  if (range) {
    const v = parseDecimalText(raw, 0)
    if (v === undefined || v < range[0] || v > range[1]) throw invalid(raw, type, `expected a whole number from ${range[0]} to ${range[1]}`)
    return type === 'long' ? v : Number(v)
  }
  const dec = decimalParams(type)
  if (dec) {
    const v = parseDecimalText(raw, dec.scale)
    if (v === undefined || !fitsPrecision(v, dec.precision)) throw invalid(raw, type, 'expected a decimal number that fits the type exactly')
    return v
  }
  return parseOtherPartitionValue(raw, type)
}

function parseOtherPartitionValue(raw: string, type: DeltaType): Scalar {
  switch (type) {
    case 'string': return raw
    case 'binary': return new TextEncoder().encode(raw)
    case 'boolean': {
      const lower = raw.toLowerCase()
      if (lower === 'true' || lower === 'false') return lower === 'true'
      throw invalid(raw, type, "expected 'true' or 'false'")
    }
    case 'float':
    case 'double': {
      const n = SPECIAL_FLOATS[raw] ?? (isFloatText(raw) ? Number(raw) : undefined)
      if (n === undefined) throw invalid(raw, type, 'expected a number')
      return type === 'float' ? Math.fround(n) : n
    }
    case 'date': {
      const days = parseDateText(raw)
      if (days === undefined) throw invalid(raw, type, 'expected YYYY-MM-DD')
      return days
    }
    case 'timestamp':
    case 'timestamp_ntz': {
      const ts = parseTimestampText(raw)
      if (!ts || (type === 'timestamp_ntz' && ts.hasZone)) throw invalid(raw, type, 'expected YYYY-MM-DD HH:MM:SS[.ffffff]')
      return ts.micros
    }
  }
  throw new DeltaError('UnsupportedFeature', `partition columns of type ${JSON.stringify(type)} are not supported`)
}

/** Options for {@link formatPartitionValue}. */
export interface FormatPartitionOptions {
  /**
   * How to write `timestamp` values: `'iso'` (default) is `YYYY-MM-DDTHH:MM:SS.ffffffZ`, the
   * ISO-8601 UTC form PROTOCOL.md recommends to modern writers, because it carries its zone (a
   * zone-less value is read in the writing system's zone, so Spark reads it in its session
   * zone); `'space'` is the zone-less `YYYY-MM-DD HH:MM:SS.ffffff` in UTC that older writers
   * (delta-rs, earlier versions of this library) write. `timestamp_ntz` is always zone-less.
   */
  timestamp?: 'space' | 'iso'
}

/**
 * A typed value as the log's partition value string, for writers; null for NULL. The empty
 * string also becomes null: the protocol reads an empty partition value as NULL anyway.
 */
export function formatPartitionValue(value: Scalar | null, type: DeltaType, opts: FormatPartitionOptions = {}): string | null {
  if (value === null || value === '') return null
  if (typeof value === 'string' || typeof value === 'boolean') return String(value)
  if (value instanceof Uint8Array) return decodeUtf8(value)
  if (type === 'date') return formatDate(value as number)
  if (type === 'timestamp' || type === 'timestamp_ntz') {
    const micros = BigInt(value)
    if (type === 'timestamp' && opts.timestamp !== 'space') return `${formatTimestamp(micros, 'T')}Z`
    return formatTimestamp(micros, ' ')
  }
  const dec = decimalParams(type)
  if (dec && typeof value === 'bigint') return formatDecimal(value, dec.scale)
  if (typeof value === 'number') return Object.is(value, -0) ? '-0.0' : String(value)
  return value.toString()
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch (e) {
    throw new DeltaError('InvalidArgument', 'a binary partition value must be valid UTF-8, because partition values are stored as text', { cause: e })
  }
}

// Characters Hive and Spark escape in partition folder names (their `escapePathName`): ASCII
// controls and " # % ' * / : = ? \ DEL { [ ] ^.
const ESCAPED = new Set<number>([
  ...Array.from({ length: 0x1f }, (_, i) => i + 1),
  ...[...'"#%\'*/:=?\\\u007f{[]^'].map((c) => c.charCodeAt(0)),
])

/** Hive-escape a name or value for a partition folder: `a/b` becomes `a%2Fb`. */
export function escapePathName(text: string): string {
  let out = ''
  for (const c of text) {
    const code = c.charCodeAt(0)
    out += c.length === 1 && ESCAPED.has(code) ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : c
  }
  return out
}

/** One `name=value` folder of a partition path; a null (or empty) value is `__HIVE_DEFAULT_PARTITION__`. */
export function escapePartitionPathSegment(name: string, value: string | null): string {
  return `${escapePathName(name)}=${value === null || value === '' ? HIVE_DEFAULT_PARTITION : escapePathName(value)}`
}

/**
 * The Hive-style folder of a file's partition values, `a=1/b=x%2Fy`, in partition column order.
 * `values` holds the serialized values (as in `add.partitionValues`), keyed by the same names
 * as `partitionColumns`. The result is a storage path, not yet URL-encoded for the log.
 */
export function partitionPath(partitionColumns: readonly string[], values: Readonly<Record<string, string | null>>): string {
  return partitionColumns.map((c) => escapePartitionPathSegment(c, values[c] ?? null)).join('/')
}

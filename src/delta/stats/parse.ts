import { boundFromNumber, parseDecimalBound, parseDecimalText } from '../values/decimal.js'
import { parseDateText, parseTimestampText } from '../values/temporal.js'
import type { Scalar } from '../model/scalar.js'
import { decimalParams, type DeltaType } from '../model/schema.js'

/**
 * The statistics of one data file, by LOGICAL column path, as bounds that file skipping can
 * trust: `min` is at most every non-null value of the column in the file and `max` at least
 * every one, after allowing for how writers store them (timestamps truncated to milliseconds,
 * strings cut to a prefix, decimals and longs rounded through JSON numbers). `undefined` means
 * unknown. The stats describe the physical file, so they stay valid under deletion vectors.
 */
export interface ParsedStats {
  /** Rows in the file (before deletion vectors), when recorded. */
  readonly numRecords: number | undefined
  /** False when the writer says min/max are only bounds and nullCount only means 0 or all. */
  readonly tightBounds: boolean
  /** A lower bound of the column's non-null values, in the JS form of `type`. */
  min(path: readonly string[], type: DeltaType): Scalar | undefined
  /** An upper bound of the column's non-null values, in the JS form of `type`. */
  max(path: readonly string[], type: DeltaType): Scalar | undefined
  /** How many rows are null in the column, when recorded. */
  nullCount(path: readonly string[]): number | undefined
}

/** How to find a logical column in the stats, which are keyed by PHYSICAL names. */
export interface StatsOptions {
  /**
   * The physical path of a logical column path (column mapping renames columns in data files
   * and stats); identity when omitted. Undefined means the column has no stats.
   */
  physicalPath?: (logicalPath: readonly string[]) => readonly string[] | undefined
}

type Json = Record<string, unknown>

// Spark cuts string stats to 32 characters and then appends one of these to a cut max, so
// that it still bounds the values; a max of 32 or more characters without one may have been
// cut without care, so it is not trusted.
const STRING_PREFIX_LENGTH = 32
const TIE_BREAKERS = new Set([0x7f, 0x10ffff])

/** Stats that parse their source only when first asked, and convert each column once. */
class LazyStats implements ParsedStats {
  private parsed: Json | undefined
  private readonly cache = new Map<string, Scalar | number | undefined>()

  constructor(private source: string | Json, private readonly opts: StatsOptions) {}

  private root(): Json {
    if (this.parsed === undefined) {
      this.parsed = typeof this.source === 'string' ? parseJsonObject(this.source) : this.source
      this.source = ''
    }
    return this.parsed
  }

  get numRecords(): number | undefined {
    return toCount(this.root().numRecords)
  }

  get tightBounds(): boolean {
    return this.root().tightBounds !== false
  }

  private lookup(section: string, path: readonly string[]): unknown {
    const physical = this.opts.physicalPath ? this.opts.physicalPath(path) : path
    if (!physical) return undefined
    let node: unknown = this.root()[section]
    if (section === 'nullCount' && node === undefined) node = this.root().nullCounts
    for (const name of physical) {
      if (!node || typeof node !== 'object') return undefined
      node = (node as Json)[name]
    }
    return node
  }

  private cached<T extends Scalar | number | undefined>(key: string, compute: () => T): T {
    if (this.cache.has(key)) return this.cache.get(key) as T
    const v = compute()
    this.cache.set(key, v)
    return v
  }

  min(path: readonly string[], type: DeltaType): Scalar | undefined {
    return this.cached(`min${JSON.stringify(path)}${String(type)}`, () => statBound(this.lookup('minValues', path), type, 'lower'))
  }

  max(path: readonly string[], type: DeltaType): Scalar | undefined {
    return this.cached(`max${JSON.stringify(path)}${String(type)}`, () => statBound(this.lookup('maxValues', path), type, 'upper'))
  }

  nullCount(path: readonly string[]): number | undefined {
    return this.cached(`null${JSON.stringify(path)}`, () => toCount(this.lookup('nullCount', path)))
  }
}

/** Stats are an optimisation: text that is not a JSON object costs skipping, never a read. */
function parseJsonObject(text: string): Json {
  try {
    const v: unknown = JSON.parse(text)
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {}
  } catch {
    return {}
  }
}

function toCount(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v
  if (typeof v === 'bigint' && v >= 0n) return Number(v)
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v)
  return undefined
}

/**
 * The stats of an `add` action's JSON `stats` string, parsed lazily (opening a table pays
 * nothing for stats no filter uses). Undefined when there are none.
 */
export function parseStats(json: string | null | undefined, opts: StatsOptions = {}): ParsedStats | undefined {
  if (json === null || json === undefined || json.trim() === '') return undefined
  return new LazyStats(json, opts)
}

/**
 * The stats of a checkpoint's `stats_parsed` struct, converted to plain values: dates as
 * `YYYY-MM-DD`, timestamps as ISO-8601 strings, decimals as exact decimal strings, longs as
 * numbers or bigints. The same shape as the JSON form, so the same bounds come out.
 */
export function parsedStatsFromStruct(obj: Record<string, unknown> | null | undefined, opts: StatsOptions = {}): ParsedStats | undefined {
  return obj ? new LazyStats(obj, opts) : undefined
}

/** One raw stat value as a bound of `type`'s values; undefined when it cannot serve as one. */
export function statBound(raw: unknown, type: DeltaType, dir: 'lower' | 'upper'): Scalar | undefined {
  if (raw === null || raw === undefined || typeof type !== 'string') return undefined
  switch (type) {
    case 'byte':
    case 'short':
    case 'integer': return integerBound(raw, dir)
    case 'long': return longBound(raw, dir)
    case 'float':
    case 'double': return floatBound(raw, type, dir)
    case 'date': return typeof raw === 'string' ? parseDateText(raw) : undefined
    case 'timestamp':
    case 'timestamp_ntz': return timestampBound(raw, type === 'timestamp_ntz', dir)
    case 'string': return stringBound(raw, dir)
    case 'boolean': return typeof raw === 'boolean' ? raw : undefined
    case 'binary': return undefined
  }
  const dec = decimalParams(type)
  return dec ? decimalBound(raw, dec.precision, dec.scale, dir) : undefined
}

function integerBound(raw: unknown, dir: 'lower' | 'upper'): number | undefined {
  const v = longBound(raw, dir)
  return v === undefined ? undefined : Number(v)
}

function longBound(raw: unknown, dir: 'lower' | 'upper'): bigint | undefined {
  if (typeof raw === 'bigint') return raw
  if (typeof raw === 'number') return Number.isInteger(raw) ? boundFromNumber(raw, 0, dir, Number.isSafeInteger(raw)) : undefined
  if (typeof raw === 'string') return parseDecimalText(raw, 0)
  return undefined
}

const SPECIAL: Record<string, number> = { Infinity: Infinity, '-Infinity': -Infinity }

function floatBound(raw: unknown, type: 'float' | 'double', dir: 'lower' | 'upper'): number | undefined {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? SPECIAL[raw] : undefined
  if (n === undefined || Number.isNaN(n)) return undefined
  if (type === 'double' || !Number.isFinite(n)) return n
  // A float stat is written as the float's shortest text; as a double it may sit a hair off
  // the float, so widen by one float step (2^-23 relative, or the smallest subnormal).
  const step = Math.max(Math.abs(n) * 2 ** -22, 2 ** -148)
  return dir === 'lower' ? n - step : n + step
}

function timestampBound(raw: unknown, ntz: boolean, dir: 'lower' | 'upper'): bigint | undefined {
  if (typeof raw !== 'string') return undefined
  const ts = parseTimestampText(raw)
  if (!ts || (ntz && ts.hasZone)) return undefined
  // Writers truncate timestamp stats to milliseconds: a max on a millisecond may hide 999 us more.
  return dir === 'upper' && ts.micros % 1000n === 0n ? ts.micros + 999n : ts.micros
}

function stringBound(raw: unknown, dir: 'lower' | 'upper'): string | undefined {
  if (typeof raw !== 'string') return undefined
  if (dir === 'lower') return raw // a cut prefix is still <= the value it was cut from
  const codePoints = [...raw]
  if (codePoints.length < STRING_PREFIX_LENGTH) return raw
  return TIE_BREAKERS.has(codePoints[codePoints.length - 1]!.codePointAt(0)!) ? raw : undefined
}

function decimalBound(raw: unknown, precision: number, scale: number, dir: 'lower' | 'upper'): bigint | undefined {
  if (typeof raw === 'number') return boundFromNumber(raw, scale, dir, precision <= 15)
  if (typeof raw === 'string') return parseDecimalBound(raw, scale, dir === 'lower' ? 'floor' : 'ceil')
  if (typeof raw === 'bigint') return raw * 10n ** BigInt(scale)
  return undefined
}

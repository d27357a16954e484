import { civilFromDays, daysFromCivil } from '../../values/temporal.js'
import type { DeltaType } from '../../model/schema.js'
import { castExpr, describeSql, isNullLiteral } from './coerce.js'
import { arity, call, type FunctionBinder, type FunctionSpec } from './function-spec.js'
import type { SqlExpr } from './types.js'
import { typeText } from './typing.js'

/**
 * Date and time functions beyond the date parts: truncating a timestamp and the current instant.
 * Like the date parts, they work in UTC where Spark would use its session time zone.
 */

const MICROS_PER_SECOND = 1_000_000n
const MICROS_PER_DAY = 86_400n * MICROS_PER_SECOND

/** The units of date_trunc, with Spark's spellings of each. */
type TruncUnit = 'YEAR' | 'QUARTER' | 'MONTH' | 'WEEK' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND' | 'MILLISECOND' | 'MICROSECOND'
const UNITS: Record<string, TruncUnit> = {
  YEAR: 'YEAR', YYYY: 'YEAR', YY: 'YEAR', QUARTER: 'QUARTER', MONTH: 'MONTH', MON: 'MONTH', MM: 'MONTH', WEEK: 'WEEK',
  DAY: 'DAY', DD: 'DAY', HOUR: 'HOUR', MINUTE: 'MINUTE', SECOND: 'SECOND', MILLISECOND: 'MILLISECOND', MICROSECOND: 'MICROSECOND',
}
const FIXED_UNIT_MICROS: Partial<Record<TruncUnit, bigint>> = {
  DAY: MICROS_PER_DAY, HOUR: 3_600n * MICROS_PER_SECOND, MINUTE: 60n * MICROS_PER_SECOND, SECOND: MICROS_PER_SECOND, MILLISECOND: 1_000n, MICROSECOND: 1n,
}

const TRUNCATABLE = new Set<DeltaType>(['timestamp', 'timestamp_ntz', 'date', 'string'])

function floorMod(a: bigint, b: bigint): bigint {
  const r = a % b
  return r < 0n ? r + b : r
}

/** `micros` cut down to the start of its `unit` (weeks start on Monday, quarters in Jan/Apr/Jul/Oct). */
function truncate(unit: TruncUnit, micros: bigint): bigint {
  const fixed = FIXED_UNIT_MICROS[unit]
  if (fixed !== undefined) return micros - floorMod(micros, fixed)
  const day = Number((micros - floorMod(micros, MICROS_PER_DAY)) / MICROS_PER_DAY)
  if (unit === 'WEEK') return BigInt(day - (((day + 3) % 7) + 7) % 7) * MICROS_PER_DAY // 1970-01-01 was a Thursday
  const [year, month] = civilFromDays(day)
  const first = unit === 'YEAR' ? 1 : unit === 'QUARTER' ? month - ((month - 1) % 3) : month
  return BigInt(daysFromCivil(year, first, 1)) * MICROS_PER_DAY
}

function unitOf(text: string): TruncUnit | undefined {
  return UNITS[text.trim().toUpperCase()]
}

/**
 * `date_trunc(unit, ts)`, unit first as Spark has it: YEAR (YYYY, YY), QUARTER, MONTH (MON,
 * MM), WEEK, DAY (DD), HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND, in any case; the result
 * is a timestamp. A unit written as a literal must be one of these (`InvalidArgument`); a unit
 * read from a column that is none of them gives NULL, as Spark.
 */
export const DATE_TRUNC: FunctionSpec = {
  name: 'date_trunc',
  bind(args, fail) {
    arity('date_trunc', args, 2, 2, fail)
    const [unit, ts] = args as [SqlExpr, SqlExpr]
    if (!isNullLiteral(unit) && unit.type !== 'string') fail(`date_trunc() takes the unit as text first, but ${describeSql(unit)} is ${typeText(unit.type)}; write date_trunc('DAY', ts)`)
    if (unit.kind === 'literal' && typeof unit.value === 'string' && !unitOf(unit.value)) {
      fail(`date_trunc() does not know the unit '${unit.value}'; use one of ${[...new Set(Object.values(UNITS))].join(', ')}`)
    }
    if (!isNullLiteral(ts) && !TRUNCATABLE.has(ts.type)) fail(`date_trunc() truncates a timestamp, but ${describeSql(ts)} is ${typeText(ts.type)}`)
    return call('date_trunc', [castExpr(unit, 'string', fail), castExpr(ts, 'timestamp', fail)], 'timestamp')
  },
  apply: ([unit, ts]) => {
    const u = unitOf(unit as string)
    return u === undefined ? null : truncate(u, ts as bigint)
  },
}

/** `current_timestamp()` (alias `now()`): the instant the expression was parsed at, a constant. */
export const CURRENT_TIMESTAMP: FunctionBinder = {
  name: 'current_timestamp',
  bind(args, fail, ctx) {
    arity('current_timestamp', args, 0, 0, fail)
    return { kind: 'literal', value: ctx.nowMicros(), type: 'timestamp' }
  },
}

/** `current_date()`: the UTC date of that same instant. */
export const CURRENT_DATE: FunctionBinder = {
  name: 'current_date',
  bind(args, fail, ctx) {
    arity('current_date', args, 0, 0, fail)
    const micros = ctx.nowMicros()
    return { kind: 'literal', value: Number((micros - floorMod(micros, MICROS_PER_DAY)) / MICROS_PER_DAY), type: 'date' }
  },
}

/** Whether `name` is one of the functions SQL lets be written without parentheses. */
export function isBareFunctionWord(name: string): boolean {
  const lower = name.toLowerCase()
  return lower === 'current_timestamp' || lower === 'current_date'
}

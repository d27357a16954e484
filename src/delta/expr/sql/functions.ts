import { DeltaError } from '../../engine/errors.js'
import type { Scalar } from '../../model/scalar.js'
import type { DeltaType } from '../../model/schema.js'
import { applyAbs } from './arith.js'
import { castExpr, describeSql, unifyTypes } from './coerce.js'
import { arity, call, type FunctionBinder, type FunctionSpec } from './function-spec.js'
import { IF, NULLIF } from './functions-conditional.js'
import { MATH_SPECS } from './functions-math.js'
import { LENGTH, REPLACE, TRIM_SPECS } from './functions-string.js'
import { CURRENT_DATE, CURRENT_TIMESTAMP, DATE_TRUNC } from './functions-time.js'
import type { SqlFunctionName } from './types.js'
import { isIntegral, isNumeric, typeText } from './typing.js'
import { civilFromDays } from '../../values/temporal.js'

/**
 * The functions SQL expressions may call: the ones generated columns, CHECK constraints and DML
 * values and conditions use most, and the registry of them all by name. Date parts of a
 * `timestamp` are taken in UTC (Spark uses the session time zone, which a table does not
 * record); a `timestamp_ntz` is wall-clock time already.
 */

export type { BindContext, FunctionBinder, FunctionSpec } from './function-spec.js'

const MICROS_PER_DAY = 86_400_000_000n
const MICROS_PER_SECOND = 1_000_000n

/** Days since the epoch of a date or timestamp value. */
function dayOf(v: Scalar, type: DeltaType): number {
  if (type === 'date') return v as number
  const micros = v as bigint
  const q = micros / MICROS_PER_DAY
  return Number(micros % MICROS_PER_DAY < 0n ? q - 1n : q)
}

/** Microseconds since midnight of a timestamp value. */
function microsOfDay(v: Scalar): bigint {
  const r = (v as bigint) % MICROS_PER_DAY
  return r < 0n ? r + MICROS_PER_DAY : r
}

function datePart(name: 'year' | 'month' | 'day', index: 0 | 1 | 2): FunctionSpec {
  return {
    name,
    bind(args, fail) {
      arity(name, args, 1, 1, fail)
      const arg = args[0]!
      const ok = arg.type === 'date' || arg.type === 'timestamp' || arg.type === 'timestamp_ntz'
      return call(name, [ok ? arg : castExpr(arg, 'date', fail)], 'integer')
    },
    apply: ([v], [t]) => civilFromDays(dayOf(v!, t!))[index],
  }
}

function timePart(name: 'hour' | 'minute' | 'second', unit: bigint, modulo: bigint): FunctionSpec {
  return {
    name,
    bind(args, fail) {
      arity(name, args, 1, 1, fail)
      const arg = args[0]!
      const ok = arg.type === 'timestamp' || arg.type === 'timestamp_ntz'
      return call(name, [ok ? arg : castExpr(arg, 'timestamp', fail)], 'integer')
    },
    apply: ([v]) => Number((microsOfDay(v!) / unit) % modulo),
  }
}

function stringFunction(name: 'upper' | 'lower', f: (s: string) => string): FunctionSpec {
  return {
    name,
    bind(args, fail) {
      arity(name, args, 1, 1, fail)
      return call(name, [castExpr(args[0]!, 'string', fail)], 'string')
    },
    apply: ([v]) => f(v as string),
  }
}

/** SQL SUBSTRING on code points: 1-based, 0 counts as 1, negative positions count from the end. */
function substringOf(s: string, pos: number, len: number): string {
  const chars = Array.from(s)
  const n = chars.length
  const start = pos > 0 ? pos - 1 : pos < 0 ? n + pos : 0
  const end = len === Infinity ? n : start + len
  const from = Math.max(start, 0)
  const to = Math.min(end, n)
  return len <= 0 || to <= from ? '' : chars.slice(from, to).join('')
}

const SUBSTRING: FunctionSpec = {
  name: 'substring',
  bind(args, fail) {
    arity('substring', args, 2, 3, fail)
    const [str, ...rest] = args
    for (const a of rest) if (!isIntegral(a.type) && !(a.kind === 'literal' && a.value === null)) fail(`substring() positions and lengths are whole numbers, not ${typeText(a.type)}`)
    return call('substring', [castExpr(str!, 'string', fail), ...rest.map((a) => castExpr(a, 'integer', fail))], 'string')
  },
  apply: ([s, pos, len]) => substringOf(s as string, pos as number, len === undefined ? Infinity : (len as number)),
}

const CONCAT: FunctionSpec = {
  name: 'concat',
  bind(args, fail) {
    arity('concat', args, 1, Infinity, fail)
    return call('concat', args.map((a) => castExpr(a, 'string', fail)), 'string')
  },
  apply: (values) => values.join(''),
}

const COALESCE: FunctionSpec = {
  name: 'coalesce',
  nullSafe: true,
  bind(args, fail) {
    arity('coalesce', args, 1, Infinity, fail)
    const { exprs, type } = unifyTypes(args, 'the arguments of coalesce()', fail)
    return call('coalesce', exprs, type)
  },
  apply: (values) => values.find((v) => v !== null) ?? null,
}

const ABS: FunctionSpec = {
  name: 'abs',
  bind(args, fail) {
    arity('abs', args, 1, 1, fail)
    const arg = args[0]!
    if (!isNumeric(arg.type)) fail(`abs() takes a number, but ${describeSql(arg)} is ${typeText(arg.type)}`)
    return call('abs', [arg], arg.type)
  },
  apply: ([v], [t]) => applyAbs(v!, t!),
}

const TO_DATE: FunctionSpec = {
  name: 'to_date',
  bind(args, fail) {
    if (args.length === 2) throw new DeltaError('UnsupportedFeature', 'to_date() with a format is not supported in expressions; use to_date(x) on ISO dates')
    arity('to_date', args, 1, 1, fail)
    return castExpr(args[0]!, 'date', fail)
  },
  apply: ([v]) => v!,
}

/** `ifnull(a, b)` / `nvl(a, b)`: coalesce of exactly two. */
function twoArgCoalesce(name: string): FunctionBinder {
  return {
    name,
    bind(args, fail, ctx) {
      arity(name, args, 2, 2, fail)
      return COALESCE.bind(args, fail, ctx)
    },
  }
}

const SPECS: FunctionSpec[] = [
  datePart('year', 0), datePart('month', 1), datePart('day', 2),
  timePart('hour', 3_600n * MICROS_PER_SECOND, 24n), timePart('minute', 60n * MICROS_PER_SECOND, 60n), timePart('second', MICROS_PER_SECOND, 60n),
  stringFunction('upper', (s) => s.toUpperCase()), stringFunction('lower', (s) => s.toLowerCase()),
  SUBSTRING, CONCAT, COALESCE, ABS, TO_DATE, LENGTH, REPLACE, ...TRIM_SPECS, ...MATH_SPECS, DATE_TRUNC,
]
// Calls are applied by the name on their node; these others bind to other nodes (CASE, literals).
const BY_NAME = new Map<string, FunctionSpec>(SPECS.map((s) => [s.name, s]))
const BINDERS = new Map<string, FunctionBinder>([
  ...BY_NAME,
  ...[NULLIF, IF, CURRENT_TIMESTAMP, CURRENT_DATE, twoArgCoalesce('ifnull'), twoArgCoalesce('nvl')].map((b) => [b.name, b] as const),
])
const ALIASES: Record<string, string> = {
  dayofmonth: 'day', date: 'to_date', substr: 'substring', ucase: 'upper', lcase: 'lower',
  char_length: 'length', character_length: 'length', ceiling: 'ceil', now: 'current_timestamp',
}

/** The function called `name` (case-insensitive, aliases resolved); `UnsupportedFeature` for any other. */
export function functionNamed(name: string): FunctionBinder {
  const lower = name.toLowerCase()
  const binder = BINDERS.get(ALIASES[lower] ?? lower)
  if (!binder) {
    throw new DeltaError('UnsupportedFeature', `function '${name}' is not supported in expressions; supported: ${[...BINDERS.keys(), ...Object.keys(ALIASES)].sort().join(', ')}`)
  }
  return binder
}

/** Apply a bound call to one row of argument values, with SQL NULL propagation; `type` is the call's result type. */
export function applyFunction(name: SqlFunctionName, values: ReadonlyArray<Scalar | null>, types: readonly DeltaType[], type: DeltaType): Scalar | null {
  const spec = BY_NAME.get(name)!
  if (!spec.nullSafe && values.some((v) => v === null)) return null
  return spec.apply(values, types, type)
}

import { DeltaError } from '../../engine/errors.js'
import type { Scalar } from '../../model/scalar.js'
import { decimalParams, type DeltaType, type PrimitiveType } from '../../model/schema.js'
import { compareScalars } from '../../values/compare.js'
import { fitsPrecision } from '../../values/decimal.js'
import { formatLiteral } from '../filter/format.js'
import { rescaleHalfUp } from './cast.js'
import { castExpr, describeSql, isNullLiteral, unifyTypes, type Fail } from './coerce.js'
import { arity, call, type FunctionSpec } from './function-spec.js'
import type { SqlExpr } from './types.js'
import { isIntegral, isNumeric, typeText } from './typing.js'

/**
 * Rounding and ordering functions, typed as Spark types them: `round` keeps integer and floating
 * types and narrows a decimal's scale; `floor`/`ceil` give `long`, or `decimal(p-s+1, 0)` of a
 * decimal; `greatest`/`least` give the arguments' common type. Rounding is HALF_UP (half away
 * from zero). An integer that overflows is an error (`InvalidData`), as in Spark's ANSI mode.
 */

const MAX_PRECISION = 38
const INTEGER_BITS: Partial<Record<string, number>> = { byte: 8, short: 16, integer: 32, long: 64 }

/** A numeric argument; a bare NULL becomes a `double` NULL. */
function numericArg(name: string, arg: SqlExpr, fail: Fail): SqlExpr {
  if (isNullLiteral(arg)) return castExpr(arg, 'double', fail)
  if (!isNumeric(arg.type)) fail(`${name}() takes a number, but ${describeSql(arg)} is ${typeText(arg.type)}`)
  return arg
}

function overflow(v: Scalar, type: DeltaType, scale: number, resultType: DeltaType): DeltaError {
  return new DeltaError('InvalidData', `arithmetic overflow: round(${formatLiteral(v, type)}, ${scale}) does not fit ${typeText(resultType)}`)
}

/** The result type of `round(x, scale)` for `x` of `type`. */
function roundType(type: DeltaType, scale: number): DeltaType {
  const d = decimalParams(type)
  if (!d) return type
  const integral = d.precision - d.scale + 1 // rounding up may need one more integer digit
  if (scale < 0) return `decimal(${Math.min(Math.max(integral, -scale + 1), MAX_PRECISION)},0)`
  const s = Math.min(d.scale, scale)
  return `decimal(${Math.min(integral + s, MAX_PRECISION)},${s})`
}

/**
 * A double rounded as Spark does it: through its shortest decimal text (Java's `BigDecimal(d)`
 * in Scala), so `round(2.675, 2)` is 2.68 even though the double is just below 2.675.
 */
function roundDouble(d: number, scale: number): number {
  if (!Number.isFinite(d)) return d
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(d))!
  const frac = m[3] ?? ''
  const exponent = Number(m[4] ?? 0) - frac.length
  // Nothing below `scale` to round away; `+ 0` because a decimal has no negative zero.
  if (exponent + scale >= 0) return d + 0
  const rounded = rescaleHalfUp(BigInt(m[2]! + frac), -exponent, scale)
  return Number(`${m[1]}${rounded}e${-scale}`) + 0
}

function roundValue(v: Scalar, type: DeltaType, scale: number, resultType: DeltaType): Scalar {
  if (type === 'double') return roundDouble(v as number, scale)
  if (type === 'float') return Math.fround(roundDouble(v as number, scale))
  const bits = INTEGER_BITS[type as string]
  if (bits !== undefined) {
    if (scale >= 0) return v
    const r = rescaleHalfUp(BigInt(v as number | bigint), 0, scale) * 10n ** BigInt(-scale)
    if (BigInt.asIntN(bits, r) !== r) throw overflow(v, type, scale, type)
    return type === 'long' ? r : Number(r)
  }
  const from = decimalParams(type)!.scale
  const to = decimalParams(resultType)!
  const r = scale >= 0 ? rescaleHalfUp(v as bigint, from, to.scale) : rescaleHalfUp(v as bigint, from, scale) * 10n ** BigInt(-scale)
  if (!fitsPrecision(r, to.precision)) throw overflow(v, type, scale, resultType)
  return r
}

/** The scale argument of round(): a whole-number literal, as Spark requires it to be constant. */
function scaleArg(arg: SqlExpr | undefined, fail: Fail): number {
  if (arg === undefined) return 0
  if (arg.kind !== 'literal' || arg.value === null || !isIntegral(arg.type) || arg.type === 'long') {
    return fail('round() takes its scale as a whole-number literal, such as round(x, 2) or round(x, -1)')
  }
  return arg.value as number
}

/** `round(x[, scale])`, HALF_UP; a negative scale rounds to tens, hundreds... */
export const ROUND: FunctionSpec = {
  name: 'round',
  bind(args, fail) {
    arity('round', args, 1, 2, fail)
    const x = numericArg('round', args[0]!, fail)
    const scale = scaleArg(args[1], fail)
    return call('round', [x, { kind: 'literal', value: scale, type: 'integer' }], roundType(x.type, scale))
  },
  apply: ([v, scale], [t], type) => roundValue(v!, t!, scale as number, type),
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q
}

/** A double to long as Java's `(long)` cast: NaN is 0, beyond the range the nearest end. */
function saturatingLong(n: number): bigint {
  if (Number.isNaN(n)) return 0n
  if (n >= 2 ** 63) return 2n ** 63n - 1n
  if (n <= -(2 ** 63)) return -(2n ** 63n)
  return BigInt(n)
}

/** `floor(x)` or `ceil(x)` (alias `ceiling`). */
function floorCeil(name: 'floor' | 'ceil'): FunctionSpec {
  const up = name === 'ceil'
  return {
    name,
    bind(args, fail) {
      arity(name, args, 1, 1, fail)
      const x = numericArg(name, args[0]!, fail)
      const d = decimalParams(x.type)
      if (d) {
        const type: PrimitiveType = d.scale === 0 ? `decimal(${d.precision},0)` : `decimal(${Math.min(d.precision - d.scale + 1, MAX_PRECISION)},0)`
        return call(name, [x], type)
      }
      return call(name, [castExpr(x, isIntegral(x.type) ? 'long' : 'double', fail)], 'long')
    },
    apply: ([v], [t]) => {
      if (t === 'long') return v!
      if (t === 'double') return saturatingLong(up ? Math.ceil(v as number) : Math.floor(v as number))
      const unit = 10n ** BigInt(decimalParams(t!)!.scale)
      return up ? -floorDiv(-(v as bigint), unit) : floorDiv(v as bigint, unit)
    },
  }
}

/**
 * `greatest(a, b, ...)` / `least(...)`: NULLs are skipped (NULL only when all are), as Spark;
 * NaN is above every other number.
 */
function extreme(name: 'greatest' | 'least'): FunctionSpec {
  const sign = name === 'greatest' ? 1 : -1
  return {
    name,
    nullSafe: true,
    bind(args, fail) {
      arity(name, args, 2, Infinity, fail)
      const { exprs, type } = unifyTypes(args, `the arguments of ${name}()`, fail)
      return call(name, exprs, type)
    },
    apply: (values, [t]) => {
      let best: Scalar | null = null
      for (const v of values) if (v !== null && (best === null || sign * compareScalars(v, best, t!) > 0)) best = v
      return best
    },
  }
}

export const MATH_SPECS: FunctionSpec[] = [ROUND, floorCeil('floor'), floorCeil('ceil'), extreme('greatest'), extreme('least')]

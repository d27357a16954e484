import { DeltaError } from '../../engine/errors.js'
import type { Scalar } from '../../model/scalar.js'
import { decimalParams, type DeltaType } from '../../model/schema.js'
import { fitsPrecision } from '../../values/decimal.js'
import { formatLiteral } from '../filter/format.js'
import { rescaleHalfUp } from './cast.js'
import type { ArithOp } from './types.js'
import { typeText } from './typing.js'

/**
 * Arithmetic on one pair of non-null values, exactly: integers and decimals as bigints where
 * they could lose digits, overflow and division by zero as errors (`InvalidData`), as Spark's
 * ANSI mode. Operand types are what the binder chose (see `arithTyping`).
 */

const SMALL_RANGE: Record<string, [number, number]> = {
  byte: [-128, 127], short: [-32768, 32767], integer: [-2147483648, 2147483647],
}

function show(v: Scalar, t: DeltaType): string {
  return formatLiteral(v, t)
}

function overflow(what: string, type: DeltaType): DeltaError {
  return new DeltaError('InvalidData', `arithmetic overflow: ${what} does not fit ${typeText(type)}`)
}

function divisionByZero(what: string): DeltaError {
  return new DeltaError('InvalidData', `division by zero: ${what}`)
}

function smallIntOp(op: ArithOp, a: number, b: number, type: DeltaType, what: () => string): number {
  if ((op === '%' || op === '/') && b === 0) throw divisionByZero(what())
  const r = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '%' ? a % b : Math.trunc(a / b)
  const [lo, hi] = SMALL_RANGE[type as string]!
  if (r < lo || r > hi) throw overflow(what(), type)
  return r === 0 ? 0 : r // never -0 for an integer
}

function longOp(op: ArithOp, a: bigint, b: bigint, what: () => string): bigint {
  if ((op === '%' || op === '/') && b === 0n) throw divisionByZero(what())
  const r = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '%' ? a % b : a / b
  if (BigInt.asIntN(64, r) !== r) throw overflow(what(), 'long')
  return r
}

function doubleOp(op: ArithOp, a: number, b: number, what: () => string): number {
  if ((op === '%' || op === '/') && b === 0) throw divisionByZero(what())
  return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '%' ? a % b : a / b
}

/** `num / den` rounded half away from zero. */
function divideHalfUp(num: bigint, den: bigint): bigint {
  const q = num / den
  const r = num % den
  const absR = r < 0n ? -r : r
  const absDen = den < 0n ? -den : den
  if (absR * 2n < absDen) return q
  return (num < 0n) !== (den < 0n) ? q - 1n : q + 1n
}

function decimalOp(op: ArithOp, a: bigint, sa: number, b: bigint, sb: number, type: DeltaType, what: () => string): bigint {
  const { precision, scale } = decimalParams(type)!
  const m = Math.max(sa, sb)
  let r: bigint
  switch (op) {
    case '+':
    case '-': {
      const x = rescaleHalfUp(a, sa, m)
      const y = rescaleHalfUp(b, sb, m)
      r = rescaleHalfUp(op === '+' ? x + y : x - y, m, scale)
      break
    }
    case '*': r = rescaleHalfUp(a * b, sa + sb, scale); break
    case '/':
      if (b === 0n) throw divisionByZero(what())
      r = divideHalfUp(a * 10n ** BigInt(sb + scale), b * 10n ** BigInt(sa))
      break
    case '%': {
      if (b === 0n) throw divisionByZero(what())
      r = rescaleHalfUp(rescaleHalfUp(a, sa, m) % rescaleHalfUp(b, sb, m), m, scale)
      break
    }
  }
  if (!fitsPrecision(r, precision)) throw overflow(what(), type)
  return r
}

/**
 * `a op b` for non-null operands of types `aType` and `bType`, giving a value of `type` (the
 * node's result type). Integer operands share `type`; decimal operands keep their own scales.
 */
export function applyArith(op: ArithOp, a: Scalar, aType: DeltaType, b: Scalar, bType: DeltaType, type: DeltaType): Scalar {
  const what = () => `${show(a, aType)} ${op} ${show(b, bType)}`
  if (type === 'long') return longOp(op, a as bigint, b as bigint, what)
  if (type === 'double' || type === 'float') return doubleOp(op, a as number, b as number, what)
  if (SMALL_RANGE[type as string]) return smallIntOp(op, a as number, b as number, type, what)
  const da = decimalParams(aType)!
  const db = decimalParams(bType)!
  return decimalOp(op, a as bigint, da.scale, b as bigint, db.scale, type, what)
}

/** `-v` for a non-null number of `type`; negating the smallest integer is an overflow. */
export function applyNegate(v: Scalar, type: DeltaType): Scalar {
  if (typeof v === 'bigint') {
    if (type === 'long' && v === -(2n ** 63n)) throw overflow(`-(${show(v, type)})`, type)
    return -v
  }
  const n = v as number
  const range = SMALL_RANGE[type as string]
  if (range && -n > range[1]) throw overflow(`-(${show(v, type)})`, type)
  return n === 0 && range ? 0 : -n
}

/** `abs(v)` for a non-null number of `type`. */
export function applyAbs(v: Scalar, type: DeltaType): Scalar {
  const negative = typeof v === 'bigint' ? v < 0n : (v as number) < 0 || Object.is(v, -0)
  return negative ? applyNegate(v, type) : v
}

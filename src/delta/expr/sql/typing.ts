import { decimalParams, type DeltaType, type PrimitiveType } from '../../model/schema.js'
import type { ArithOp } from './types.js'

/**
 * Type rules of SQL expressions, after Spark's, simplified where noted:
 * - integers widen to the wider operand (`byte` < `short` < `integer` < `long`); overflow is an
 *   error (Spark's ANSI mode), never a wrap-around;
 * - `/` on two integers divides as `double`, as Spark does;
 * - an integer meeting a decimal becomes `decimal(3|5|10|20, 0)`; decimal results follow Spark
 *   (`+`/`-`: scale max(s1,s2), `*`: s1+s2, `/`: max(6, s1+p2+1), `%`: max(s1,s2)), and when the
 *   precision passes 38 the scale gives way down to 6 digits, as Spark's allowPrecisionLoss;
 * - any `float` or `double` operand makes the operation `double` (Spark keeps float+float as
 *   float; we widen).
 */

const INTEGRAL_RANK: Partial<Record<string, number>> = { byte: 1, short: 2, integer: 3, long: 4 }
const INTEGRAL_DIGITS: Partial<Record<string, number>> = { byte: 3, short: 5, integer: 10, long: 20 }
const MAX_PRECISION = 38

/** True for byte, short, integer and long. */
export function isIntegral(t: DeltaType): boolean {
  return typeof t === 'string' && INTEGRAL_RANK[t] !== undefined
}

/** True for every number type. */
export function isNumeric(t: DeltaType): boolean {
  return isIntegral(t) || t === 'float' || t === 'double' || decimalParams(t) !== undefined
}

/** The decimal type an integer type converts to without loss (or the decimal itself). */
export function asDecimal(t: DeltaType): { precision: number; scale: number } | undefined {
  const d = decimalParams(t)
  if (d) return d
  const digits = typeof t === 'string' ? INTEGRAL_DIGITS[t] : undefined
  return digits === undefined ? undefined : { precision: digits, scale: 0 }
}

/** `decimal(p,s)` with the precision capped at 38, giving up scale (down to 6) first. */
export function boundedDecimal(precision: number, scale: number): PrimitiveType {
  if (precision <= MAX_PRECISION) return `decimal(${precision},${scale})`
  const intDigits = precision - scale
  const minScale = Math.min(scale, 6)
  return `decimal(${MAX_PRECISION},${Math.max(MAX_PRECISION - intDigits, minScale)})`
}

/** The wider of two integer types. */
function widerIntegral(a: DeltaType, b: DeltaType): DeltaType {
  return INTEGRAL_RANK[a as string]! >= INTEGRAL_RANK[b as string]! ? a : b
}

/** Result of an operation on two decimals, by Spark's rules. */
function decimalResult(op: ArithOp, a: { precision: number; scale: number }, b: { precision: number; scale: number }): PrimitiveType {
  const [p1, s1, p2, s2] = [a.precision, a.scale, b.precision, b.scale]
  switch (op) {
    case '+':
    case '-': {
      const s = Math.max(s1, s2)
      return boundedDecimal(Math.max(p1 - s1, p2 - s2) + s + 1, s)
    }
    case '*': return boundedDecimal(p1 + p2 + 1, s1 + s2)
    case '/': {
      const s = Math.max(6, s1 + p2 + 1)
      return boundedDecimal(p1 - s1 + s2 + s, s)
    }
    case '%': {
      const s = Math.max(s1, s2)
      return boundedDecimal(Math.min(p1 - s1, p2 - s2) + s, s)
    }
  }
}

/**
 * How `a op b` is computed: the types to cast the operands to (undefined keeps an operand as
 * it is) and the result type. Both types must be numeric.
 */
export function arithTyping(op: ArithOp, a: DeltaType, b: DeltaType): { left?: DeltaType; right?: DeltaType; result: DeltaType } {
  if (a === 'float' || a === 'double' || b === 'float' || b === 'double') return { left: 'double', right: 'double', result: 'double' }
  if (isIntegral(a) && isIntegral(b)) {
    if (op === '/') return { left: 'double', right: 'double', result: 'double' }
    const t = widerIntegral(a, b)
    return { left: t, right: t, result: t }
  }
  const da = asDecimal(a)!
  const db = asDecimal(b)!
  return {
    left: isIntegral(a) ? `decimal(${da.precision},0)` : undefined,
    right: isIntegral(b) ? `decimal(${db.precision},0)` : undefined,
    result: decimalResult(op, da, db),
  }
}

/**
 * The type two values are brought to when they must be one type (COALESCE, IN lists), or
 * undefined when there is none: numbers widen (integers < decimals < double), dates meet
 * timestamps as timestamps, equal types stay.
 */
export function commonType(a: DeltaType, b: DeltaType): DeltaType | undefined {
  if (a === b) return a
  if (isNumeric(a) && isNumeric(b)) {
    if (a === 'float' || a === 'double' || b === 'float' || b === 'double') return 'double'
    if (isIntegral(a) && isIntegral(b)) return widerIntegral(a, b)
    const da = asDecimal(a)!
    const db = asDecimal(b)!
    const scale = Math.max(da.scale, db.scale)
    return boundedDecimal(Math.max(da.precision - da.scale, db.precision - db.scale) + scale, scale)
  }
  const temporal = new Set<DeltaType>(['date', 'timestamp', 'timestamp_ntz'])
  if (temporal.has(a) && temporal.has(b)) return a === 'timestamp' || b === 'timestamp' ? 'timestamp' : 'timestamp_ntz'
  return undefined
}

const TYPE_NAMES: Record<string, PrimitiveType> = {
  tinyint: 'byte', byte: 'byte', smallint: 'short', short: 'short', int: 'integer', integer: 'integer',
  bigint: 'long', long: 'long', float: 'float', real: 'float', double: 'double', string: 'string',
  date: 'date', timestamp: 'timestamp', timestamp_ltz: 'timestamp', timestamp_ntz: 'timestamp_ntz',
  boolean: 'boolean', bool: 'boolean', binary: 'binary',
}

/** A SQL type name of CAST (`int`, `bigint`, `decimal(10,2)`, `varchar(20)`...) as a Delta type. */
export function parseTypeName(name: string): PrimitiveType | undefined {
  const plain = TYPE_NAMES[name]
  if (plain) return plain
  if (/^(var)?char\(\d+\)$/.test(name)) return 'string'
  const m = /^(?:decimal|dec|numeric)(?:\((\d+)(?:,(\d+))?\))?$/.exec(name)
  if (!m) return undefined
  const precision = m[1] === undefined ? 10 : Number(m[1])
  const scale = m[2] === undefined ? 0 : Number(m[2])
  if (precision < 1 || precision > MAX_PRECISION || scale > precision) return undefined
  return `decimal(${precision},${scale})`
}

/** A Delta type as text for messages. */
export function typeText(t: DeltaType): string {
  return typeof t === 'string' ? t : t.type
}

/**
 * Exact decimal arithmetic on text and unscaled bigints. Decimals never pass through floats
 * here: `1.005` in `decimal(5,3)` is `1005n`, always.
 */

const NUMBER_RE = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/

/** An exact decimal value: `digits * 10^exponent`. */
interface DecimalParts {
  digits: bigint
  exponent: number
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n)
}

/** Split decimal or scientific text (`-12.5`, `1e3`, `.5`) into exact parts; undefined if malformed. */
function parseParts(text: string): DecimalParts | undefined {
  const m = NUMBER_RE.exec(text.trim())
  if (!m) return undefined
  const int = m[2] ?? ''
  const frac = m[3] ?? ''
  if (int === '' && frac === '') return undefined
  const exp = m[4] === undefined ? 0 : Number(m[4])
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 10_000) return undefined
  const magnitude = BigInt(int + frac || '0')
  return { digits: m[1] === '-' ? -magnitude : magnitude, exponent: exp - frac.length }
}

/** Divide rounding toward negative infinity (bigint `/` truncates toward zero). */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q
}

function rescaleParts(p: DecimalParts, scale: number, rounding: 'exact' | 'floor' | 'ceil'): bigint | undefined {
  const shift = p.exponent + scale
  if (shift >= 0) return p.digits * pow10(shift)
  const div = pow10(-shift)
  if (p.digits % div === 0n) return p.digits / div
  if (rounding === 'exact') return undefined
  const q = floorDiv(p.digits, div)
  return rounding === 'floor' ? q : q + 1n
}

/**
 * The unscaled value of decimal text at `scale`, or undefined when the text is malformed or has
 * non-zero digits beyond `scale` (precision is checked separately by {@link fitsPrecision}).
 */
export function parseDecimalText(text: string, scale: number): bigint | undefined {
  const p = parseParts(text)
  return p && rescaleParts(p, scale, 'exact')
}

/**
 * Like {@link parseDecimalText}, but digits beyond `scale` round down (`floor`) or up (`ceil`)
 * instead of failing: for bounds, where rounding outward keeps them bounds.
 */
export function parseDecimalBound(text: string, scale: number, rounding: 'floor' | 'ceil'): bigint | undefined {
  const p = parseParts(text)
  return p && rescaleParts(p, scale, rounding)
}

/** True when the unscaled value has at most `precision` digits. */
export function fitsPrecision(unscaled: bigint, precision: number): boolean {
  const abs = unscaled < 0n ? -unscaled : unscaled
  return abs < pow10(precision)
}

/** Decimal text of an unscaled value: `formatDecimal(12345n, 2)` is `'123.45'`. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n
  const digits = (neg ? -unscaled : unscaled).toString()
  if (scale <= 0) return (neg ? '-' : '') + digits + '0'.repeat(-scale)
  const padded = digits.padStart(scale + 1, '0')
  return `${neg ? '-' : ''}${padded.slice(0, -scale)}.${padded.slice(-scale)}`
}

/** Rescale an unscaled value from one scale to another; undefined when digits would be lost. */
export function rescaleDecimal(unscaled: bigint, from: number, to: number): bigint | undefined {
  return rescaleParts({ digits: unscaled, exponent: -from }, to, 'exact')
}

const F64 = new Float64Array(1)
const U64 = new BigUint64Array(F64.buffer)

/** The spacing of doubles at `n`, in units of 10^-scale, rounded up (at least 1). */
function ulpInUnits(n: number, scale: number): bigint {
  F64[0] = n
  const biased = Number((U64[0]! >> 52n) & 0x7ffn)
  const exp2 = (biased === 0 ? 1 : biased) - 1075 // exponent of the last mantissa bit
  if (exp2 >= 0) return 2n ** BigInt(exp2) * (scale >= 0 ? pow10(scale) : 1n)
  const den = 2n ** BigInt(-exp2)
  const num = scale >= 0 ? pow10(scale) : 1n
  return (num + den - 1n) / den
}

/**
 * A bound at `scale` for a value that reached us as a JS number (a decimal or long statistic in
 * JSON, after `JSON.parse`). The number's shortest text (`String(n)`) is the writer's text when
 * that had at most 15 significant digits, which `exact` promises (decimal precision <= 15, or a
 * safe integer); otherwise the true value is within one double spacing of `n`, so the bound is
 * widened by that spacing in the requested direction. Undefined for NaN and infinities.
 */
export function boundFromNumber(n: number, scale: number, dir: 'lower' | 'upper', exact: boolean): bigint | undefined {
  if (!Number.isFinite(n)) return undefined
  const p = parseParts(String(n))
  if (!p) return undefined
  const rounded = rescaleParts(p, scale, dir === 'lower' ? 'floor' : 'ceil')
  if (rounded === undefined || exact) return rounded
  const ulp = ulpInUnits(n, scale)
  return dir === 'lower' ? rounded - ulp : rounded + ulp
}

import { decimalParams, type DeltaType } from '../../src/delta/model/schema.js'
import { sortPairs, type Canonical } from './canonical-value.js'
import { formatDecimal, toCanonicalLong } from './canonical-format.js'

/**
 * An `expected.json` value brought to the same canonical form the Arrow side produces, so a
 * long written as `"5"` or a decimal written as `"1.5"` for scale 2 still compares equal. Only
 * spelling is normalized: a value that would need rounding is left as written and will differ.
 */
export function canonicalizeJsonValue(value: unknown, type: DeltaType, where = 'value'): Canonical {
  if (value === null || value === undefined) return null
  if (typeof type !== 'string') {
    if (type.type === 'struct') {
      const o = expectObject(value, where)
      const out: { [field: string]: Canonical } = {}
      for (const f of type.fields) out[f.name] = canonicalizeJsonValue(o[f.name], f.type, `${where}.${f.name}`)
      return out
    }
    if (type.type === 'array') {
      if (!Array.isArray(value)) throw new Error(`${where}: expected a JSON array, got ${JSON.stringify(value)}`)
      return value.map((v, k) => canonicalizeJsonValue(v, type.elementType, `${where}[${k}]`))
    }
    const pairs = Array.isArray(value) ? (value as unknown[]) : Object.entries(expectObject(value, where))
    return sortPairs(pairs.map((p, k) => {
      if (!Array.isArray(p) || p.length !== 2) throw new Error(`${where}: map entry ${k} is not a [key, value] pair`)
      return [canonicalizeJsonValue(p[0], type.keyType, `${where}.key`), canonicalizeJsonValue(p[1], type.valueType, `${where}.value`)]
    }))
  }
  const decimal = decimalParams(type)
  if (decimal) return normalizeDecimal(String(value), decimal.scale)
  switch (type) {
    case 'long': return toCanonicalLong(BigInt(value as string | number))
    case 'byte': case 'short': case 'integer': return Number(value)
    case 'float': return Math.fround(toFloat(value))
    case 'double': return toFloat(value)
    case 'binary': return String(value).toLowerCase()
    case 'boolean': return Boolean(value)
    default: return String(value)
  }
}

function expectObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${where}: expected a JSON object, got ${JSON.stringify(value)}`)
  }
  return value as Record<string, unknown>
}

/** JSON cannot hold NaN or infinities; accept them spelled as strings. */
function toFloat(value: unknown): number {
  return typeof value === 'string' ? Number(value) : (value as number)
}

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/

/** `"1.5"` at scale 2 -> `"1.50"`; extra non-zero fraction digits are kept so they never match. */
export function normalizeDecimal(text: string, scale: number): string {
  const m = DECIMAL_TEXT.exec(text.trim())
  if (!m) return text
  const frac = m[3] ?? ''
  const significant = frac.slice(scale)
  if (/[1-9]/.test(significant)) return text
  const digits = `${m[2] ?? ''}${frac.slice(0, scale).padEnd(scale, '0')}` || '0'
  const unscaled = BigInt(digits)
  return formatDecimal(m[1] === '-' ? -unscaled : unscaled, scale)
}

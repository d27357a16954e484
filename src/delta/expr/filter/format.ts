import type { Scalar } from '../../model/scalar.js'
import { decimalParams, type DeltaType } from '../../model/schema.js'
import { formatDecimal } from '../../values/decimal.js'
import { formatDate, formatTimestamp } from '../../values/temporal.js'
import type { Expr, ValueExpr } from './types.js'

const BARE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IS', 'IN', 'BETWEEN', 'LIKE', 'TRUE', 'FALSE', 'NULL', 'DATE', 'TIMESTAMP', 'TIMESTAMP_NTZ'])

/** A column path as filter text: bare names where possible, backticks (with `` doubling) otherwise. */
export function formatColumnPath(path: readonly string[]): string {
  return path
    .map((p) => (BARE_NAME.test(p) && !KEYWORDS.has(p.toUpperCase()) ? p : `\`${p.replaceAll('`', '``')}\``))
    .join('.')
}

function quote(s: string): string {
  return `'${s.replaceAll("'", "''")}'`
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "'NaN'"
  if (!Number.isFinite(n)) return n > 0 ? "'Infinity'" : "'-Infinity'"
  if (Object.is(n, -0)) return '-0.0'
  return String(n)
}

/** A literal as filter text that parses back to the same value for its type. */
export function formatLiteral(value: Scalar | null, type: DeltaType): string {
  if (value === null) return 'NULL'
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (typeof value === 'string') return quote(value)
  if (value instanceof Uint8Array) return `X'${Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('')}'`
  if (type === 'date') return `DATE '${formatDate(value as number)}'`
  if (type === 'timestamp') return `TIMESTAMP '${formatTimestamp(BigInt(value), 'T')}Z'`
  if (type === 'timestamp_ntz') return `TIMESTAMP_NTZ '${formatTimestamp(BigInt(value), 'T')}'`
  const dec = decimalParams(type)
  if (dec && typeof value === 'bigint') return formatDecimal(value, dec.scale)
  return typeof value === 'number' ? formatNumber(value) : value.toString()
}

function formatValue(v: ValueExpr): string {
  return v.kind === 'column' ? formatColumnPath(v.path) : formatLiteral(v.value, v.type)
}

function group(e: Expr): string {
  return e.kind === 'and' || e.kind === 'or' ? `(${formatExpr(e)})` : formatExpr(e)
}

/**
 * Filter text for an expression that `parseFilter` accepts again and turns into the same tree
 * (with the same schema): for logging, for the `predicate` of a commit's operation parameters,
 * and for handing a filter across the worker boundary as a string.
 */
export function formatExpr(expr: Expr): string {
  switch (expr.kind) {
    case 'literal': return formatLiteral(expr.value, 'boolean')
    case 'compare': return `${formatValue(expr.left)} ${expr.op} ${formatValue(expr.right)}`
    case 'and': return expr.args.map(group).join(' AND ')
    case 'or': return expr.args.map(group).join(' OR ')
    case 'isNull': return `${formatValue(expr.arg)} IS NULL`
    case 'in': return `${formatValue(expr.arg)} IN (${expr.values.map(formatValue).join(', ')})`
    case 'like': return `${formatValue(expr.arg)} LIKE ${quote(expr.pattern)}`
    case 'not': return formatNot(expr.arg)
  }
}

function formatNot(arg: Expr): string {
  switch (arg.kind) {
    case 'isNull': return `${formatValue(arg.arg)} IS NOT NULL`
    case 'in': return `${formatValue(arg.arg)} NOT IN (${arg.values.map(formatValue).join(', ')})`
    case 'like': return `${formatValue(arg.arg)} NOT LIKE ${quote(arg.pattern)}`
    default: return `NOT (${formatExpr(arg)})`
  }
}

import type { StructType } from '../../model/schema.js'
import { bindExpr } from './bind.js'
import { parseRawFilter } from './raw.js'
import type { Expr } from './types.js'

export { parseRawFilter, type RawExpr, type RawOperand } from './raw.js'

/**
 * Parse a SQL-like filter (`year = 2024 AND value > 3`) once into an expression tree that serves
 * both file skipping and row filtering. Columns resolve against the LOGICAL schema (exact name
 * first, then case-insensitive) and each literal is typed exactly against its column. Errors are
 * `InvalidArgument` (syntax, unknown column, literal that does not fit, with its position; text
 * nested deeper than `MAX_EXPRESSION_DEPTH`, 256 levels) or `UnsupportedFeature` (functions,
 * arithmetic).
 */
export function parseFilter(text: string, schema: StructType): Expr {
  return bindExpr(parseRawFilter(text), schema, text)
}

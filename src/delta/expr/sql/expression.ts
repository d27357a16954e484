import type { StructType } from '../../model/schema.js'
import { bindSql } from './bind.js'
import { parseRawSql } from './parse.js'
import type { SqlExpr } from './types.js'

/**
 * Parse a SQL value expression (a generation expression such as `c1 + 1` or `year(ts)`, a CHECK
 * constraint such as `price * qty < 1000`) against the table's LOGICAL schema into a typed tree.
 * Beyond what filters take, it has arithmetic (`+ - * / %`, unary minus), `||`, `CAST(x AS t)`,
 * `<=>` and the functions year, month, day/dayofmonth, hour, minute, second, to_date/date,
 * substring/substr, upper/ucase, lower/lcase, concat, coalesce and abs. Types follow Spark's
 * rules (see `sql-typing.ts`); date parts of a `timestamp` are taken in UTC, where Spark would use
 * its session time zone. Errors: `InvalidArgument` for syntax, unknown columns, types that do
 * not fit and text nested deeper than `MAX_EXPRESSION_DEPTH` (256 levels, each operator of an
 * arithmetic chain counting one); `UnsupportedFeature` naming any other function or CAST target.
 */
export function parseExpression(text: string, schema: StructType): SqlExpr {
  return bindSql(parseRawSql(text), schema, text)
}

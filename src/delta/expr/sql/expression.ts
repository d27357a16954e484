import type { StructType } from '../../model/schema.js'
import { bindSql, type SqlBindOptions } from './bind.js'
import { parseRawSql } from './parse.js'
import type { SqlExpr } from './types.js'

/** Options of {@link parseExpression}. */
export interface ParseExpressionOptions extends SqlBindOptions {}

/**
 * Parse a SQL value expression (a generation expression such as `c1 + 1` or `year(ts)`, a CHECK
 * constraint such as `price * qty < 1000`, an UPDATE value or a MERGE condition) against the
 * table's LOGICAL schema into a typed tree.
 *
 * Beyond what filters take, it has:
 * - arithmetic (`+ - * / %`, unary minus), `||`, `CAST(x AS t)`, `<=>`;
 * - `CASE WHEN c THEN v [WHEN ...] [ELSE v] END` and `CASE x WHEN a THEN v ... END` (compares
 *   `x = a`); the result is the common type of the values (none is `InvalidArgument`), no ELSE
 *   means NULL, and a value is computed only for the rows that take it (AND, OR and coalesce
 *   likewise compute an operand only where it decides the result), as Spark evaluates them;
 * - dates: year, month, day/dayofmonth, hour, minute, second, to_date/date,
 *   `date_trunc(unit, ts)` (YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND,
 *   MICROSECOND and Spark's short spellings; a timestamp), current_timestamp/now and
 *   current_date (also without parentheses, unless a column has that name);
 * - strings: substring/substr, upper/ucase, lower/lcase, concat, length/char_length/
 *   character_length (characters; bytes of a binary), trim, ltrim, rtrim (spaces only) and
 *   `TRIM([BOTH | LEADING | TRAILING] [chars] FROM s)`, `replace(s, search[, replacement])`;
 * - numbers: abs, `round(x[, scale])` (HALF_UP; a decimal's scale narrows as Spark's does),
 *   floor, ceil/ceiling, greatest, least (NULLs skipped);
 * - NULLs and choices: coalesce, ifnull/nvl, nullif, `if(c, a, b)`.
 *
 * Types follow Spark's rules (see `typing.ts`); date parts, truncation and current_date of a
 * `timestamp` are taken in UTC, where Spark would use its session time zone. The current instant
 * is read once per parsed expression (or taken from `options.now`) and is a constant in the
 * tree: every row of every evaluation of it sees the same instant, as every row of one Spark
 * query does; parse again (or pass one `now` to every expression of a command) for a new one.
 *
 * Errors: `InvalidArgument` for syntax, unknown columns, types that do not fit and text nested
 * deeper than `MAX_EXPRESSION_DEPTH` (256 levels, each operator of an arithmetic chain counting
 * one); `UnsupportedFeature` naming any other function or CAST target.
 */
export function parseExpression(text: string, schema: StructType, options: ParseExpressionOptions = {}): SqlExpr {
  return bindSql(parseRawSql(text), schema, text, options)
}

/**
 * Filter expressions: parsed once from SQL-like text, then used for file skipping (partition
 * values and stats) and row filtering over Arrow, with SQL three-valued NULL semantics.
 */
export { parseFilter, parseRawFilter, type RawExpr, type RawOperand } from './filter/parse.js'
export { formatExpr, formatLiteral, formatColumnPath } from './filter/format.js'
export { evaluateFilter } from './filter/evaluate.js'
export { checkExprDepth } from './filter/depth.js'
export { substituteColumns } from './filter/substitute.js'
export { mayMatchFile, type FileSkippingInfo } from './filter/skipping.js'
export { compareScalars, compareStrings, compareBytes, compareFloats, compareValues } from '../values/compare.js'
export { evaluateOnValues, likeRegExp, FALSE, UNKNOWN, TRUE, type Tri } from './filter/scalar-eval.js'
export { coerceLiteral, type RawLiteral, type Coerced } from './filter/coerce.js'
export {
  col, lit, compare, eq, ne, lt, le, gt, ge, and, or, not, isNull, isNotNull, inList, between, like, flipOp, columnsOf,
  type Expr, type ValueExpr, type ColumnExpr, type LiteralExpr, type CompareExpr, type CompareOp, type AndExpr, type OrExpr,
  type NotExpr, type IsNullExpr, type InExpr, type LikeExpr,
} from './filter/types.js'
export { parseExpression } from './sql/expression.js'
export { evaluateExpression, evaluateCondition, evaluateSqlValues, type RowValues } from './sql/evaluate.js'
export { castScalar, canCast } from './sql/cast.js'
export { vectorFromScalars } from '../arrow/build-vector.js'
export {
  columnsOfSql, type SqlExpr, type SqlArith, type SqlNegate, type SqlCast, type SqlCall, type SqlCompare, type SqlJunction,
  type SqlNot, type SqlIsNull, type SqlIn, type SqlLike, type ArithOp, type SqlFunctionName,
} from './sql/types.js'

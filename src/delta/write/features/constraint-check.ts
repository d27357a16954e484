import type { Table } from 'apache-arrow'
import { DeltaError, isDeltaError } from '../../engine/errors.js'
import { formatColumnPath, formatLiteral } from '../../expr/filter/format.js'
import { parseExpression } from '../../expr/sql/expression.js'
import { evaluateCondition, evaluateSqlValues } from '../../expr/sql/evaluate.js'
import { columnsOfSql, type SqlExpr } from '../../expr/sql/types.js'
import type { StructType } from '../../model/schema.js'

/** A condition every row written must satisfy: a CHECK constraint or a column invariant. */
export interface TableCondition {
  /** How messages name it: `CHECK constraint 'positive'`, `invariant of column 'x'`. */
  readonly label: string
  /** The SQL expression, as stored in the table metadata. */
  readonly expression: string
}

/**
 * Parse a stored condition. Anything this library cannot parse or evaluate is refused as
 * `UnsupportedFeature` naming it: writing without checking it could break the table's promise.
 */
export function parseCondition(condition: TableCondition, schema: StructType): SqlExpr {
  const expr = parseStoredExpression(condition.expression, schema, (reason) =>
    `the table's ${condition.label} (${condition.expression}) cannot be checked by this library (${reason}); refusing to write rather than write it unchecked`)
  if (expr.type !== 'boolean') {
    throw new DeltaError('UnsupportedFeature', `the table's ${condition.label} (${condition.expression}) is not a condition (it gives ${JSON.stringify(expr.type)}); refusing to write`)
  }
  return expr
}

/**
 * Parse a SQL expression the table stores (a condition, a generation expression). One this
 * library cannot parse is `UnsupportedFeature` with the message `refusal(reason)` gives: the
 * table needs what we lack, so the write stops rather than ignore the expression.
 */
export function parseStoredExpression(expression: string, schema: StructType, refusal: (reason: string) => string): SqlExpr {
  try {
    return parseExpression(expression, schema, { deterministic: true })
  } catch (e) {
    if (!isDeltaError(e)) throw e
    throw new DeltaError('UnsupportedFeature', refusal(e.message), { cause: e })
  }
}

/** How many of rows `0..n-1` fail, and the first that does (-1 when none): what a violation message reports. */
export function countFailures(n: number, fails: (row: number) => boolean): { count: number; first: number } {
  let count = 0
  let first = -1
  for (let i = 0; i < n; i++) {
    if (fails(i)) {
      count++
      if (first < 0) first = i
    }
  }
  return { count, first }
}

/** Run `f`, naming the condition in any data error it raises (overflow, a failed cast). */
export function withCondition<T>(label: string, expression: string, f: () => T): T {
  try {
    return f()
  } catch (e) {
    if (isDeltaError(e, 'InvalidData') || isDeltaError(e, 'SchemaMismatch')) {
      throw new DeltaError(e.code, `${label} (${expression}) could not be evaluated: ${e.message}`, { cause: e })
    }
    throw e
  }
}

/** The values of the columns an expression reads, at one row, as `name = value` text. */
export function describeRow(table: Table, expr: SqlExpr, row: number): string {
  const parts = columnsOfSql(expr).filter((c) => typeof c.type === 'string').map((c) => {
    const v = evaluateSqlValues(c, table.slice(row, row + 1))[0] ?? null
    return `${formatColumnPath(c.path)} = ${formatLiteral(v, c.type)}`
  })
  return parts.length > 0 ? parts.join(', ') : `row ${row}`
}

/**
 * Throw `ConstraintViolation` when any row of `table` does not make the condition TRUE. As the
 * protocol says ("must return true"; invariants: "false or null" aborts) and Spark enforces,
 * a NULL result is a violation too, unlike a SQL-standard CHECK.
 */
export function checkCondition(table: Table, schema: StructType, condition: TableCondition): void {
  const expr = parseCondition(condition, schema)
  if (table.numRows === 0) return
  const truth = withCondition(condition.label, condition.expression, () => evaluateCondition(expr, table))
  const { count, first } = countFailures(truth.length, (i) => truth[i] !== 2)
  if (count === 0) return
  const result = truth[first] === 1 ? 'NULL' : 'FALSE'
  throw new DeltaError(
    'ConstraintViolation',
    `${condition.label} (${condition.expression}) is violated by ${count} of ${table.numRows} row${table.numRows === 1 ? '' : 's'}; ` +
      `the first (row ${first}: ${describeRow(table, expr, first)}) makes it ${result}. Fix or filter those rows before writing`,
  )
}

import type { Table, Vector } from 'apache-arrow'
import { describeDeltaType } from '../../arrow/types.js'
import { vectorFromScalars } from '../../arrow/build-vector.js'
import { compareValues } from '../../values/compare.js'
import { formatColumnPath, formatLiteral } from '../../expr/filter/format.js'
import { canCast, castScalar } from '../../expr/sql/cast.js'
import { evaluateSqlValues, type RowValues } from '../../expr/sql/evaluate.js'
import { columnsOfSql, type SqlExpr } from '../../expr/sql/types.js'
import { DeltaError } from '../../engine/errors.js'
import type { Scalar } from '../../model/scalar.js'
import type { DeltaType, StructField, StructType } from '../../model/schema.js'
import { countFailures, parseStoredExpression, withCondition } from './constraint-check.js'
import { hasColumn, suppliesColumn, withColumns } from './table-columns.js'

/** Field metadata key of a generated column's SQL expression. */
export const GENERATION_EXPRESSION_KEY = 'delta.generationExpression'

/** A generated column: its field and SQL expression. */
export interface GeneratedColumn {
  field: StructField
  expression: string
}

/** The generated columns of a schema (top level, as Delta allows them), in schema order. */
export function generatedColumnsOf(schema: StructType): GeneratedColumn[] {
  return schema.fields.flatMap((field) => {
    const expression = field.metadata[GENERATION_EXPRESSION_KEY]
    return typeof expression === 'string' ? [{ field, expression }] : []
  })
}

function parseGeneration(g: GeneratedColumn, schema: StructType): SqlExpr {
  const expr = parseStoredExpression(g.expression, schema, (reason) =>
    `generated column '${g.field.name}' (${g.expression}) cannot be computed by this library (${reason}); refusing to write rather than write wrong values`)
  if (!canCast(expr.type, g.field.type)) {
    throw new DeltaError('InvalidArgument', `generated column '${g.field.name}' is ${describeDeltaType(g.field.type)}, but ${g.expression} gives ${describeDeltaType(expr.type)}`)
  }
  return expr
}

function checkInputs(g: GeneratedColumn, expr: SqlExpr, table: Table, schema: StructType): void {
  for (const c of columnsOfSql(expr)) {
    const top = schema.fields.find((f) => f.name === c.path[0])
    if (top && !hasColumn(table, top)) {
      throw new DeltaError('InvalidArgument', `generated column '${g.field.name}' = ${g.expression} needs column '${formatColumnPath(c.path)}', which the data lacks`)
    }
  }
}

/** The expression's values as the column's type (Spark casts a generation expression to it). */
function computeValues(g: GeneratedColumn, expr: SqlExpr, table: Table): RowValues {
  const what = `generated column '${g.field.name}'`
  return withCondition(what, g.expression, () => {
    const values = evaluateSqlValues(expr, table)
    return expr.type === g.field.type ? values : values.map((v) => (v === null ? null : castScalar(v, expr.type, g.field.type)))
  })
}

/** Null-safe equality (`<=>`) of a stored value and a computed one. */
function sameValue(a: Scalar | null, aType: DeltaType, b: Scalar | null, bType: DeltaType): boolean {
  if (a === null || b === null) return a === b
  return compareValues(a, aType, b, bType) === 0
}

function checkProvided(g: GeneratedColumn, expr: SqlExpr, table: Table): void {
  const what = `generated column '${g.field.name}'`
  const expected = withCondition(what, g.expression, () => evaluateSqlValues(expr, table))
  const given = evaluateSqlValues({ kind: 'column', path: [g.field.name], type: g.field.type }, table)
  const { count, first } = countFailures(given.length, (i) => !sameValue(given[i] ?? null, g.field.type, expected[i] ?? null, expr.type))
  if (count === 0) return
  throw new DeltaError(
    'ConstraintViolation',
    `${what} must equal ${g.expression}, but ${count} of ${table.numRows} row${table.numRows === 1 ? '' : 's'} differ; the first (row ${first}) has ` +
      `${formatLiteral(given[first] ?? null, g.field.type)} where ${g.expression} is ${formatLiteral(expected[first] ?? null, expr.type)}. Leave the column out to have it computed`,
  )
}

/**
 * Fill and check generated columns (`delta.generationExpression`): a generated column the data
 * lacks (or holds only nulls for, see `suppliesColumn`) is computed from its expression (cast to
 * the column's type); one the data supplies must equal
 * the expression on every row, NULL-safely (`(value <=> expression) IS TRUE`, as the protocol
 * says), else `ConstraintViolation` naming the column, expression and the count of rows that
 * differ. An expression this library cannot evaluate is `UnsupportedFeature`. Columns come
 * back in schema order.
 */
export function applyGeneratedColumns(table: Table, schema: StructType): Table {
  const added = new Map<string, Vector>()
  for (const g of generatedColumnsOf(schema)) {
    const expr = parseGeneration(g, schema)
    checkInputs(g, expr, table, schema)
    if (suppliesColumn(table, g.field)) checkProvided(g, expr, table)
    else if (typeof g.field.type === 'string') added.set(g.field.name, vectorFromScalars(computeValues(g, expr, table), g.field.type))
    else throw new DeltaError('UnsupportedFeature', `generated column '${g.field.name}' has type ${g.field.type.type}; only primitive generated columns can be computed`)
  }
  return withColumns(table, schema, added)
}

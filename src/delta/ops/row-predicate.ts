import type { Table } from 'apache-arrow'
import { DeltaError, isDeltaError } from '../engine/errors.js'
import { columnsOf, columnsOfSql, evaluateCondition, evaluateFilter, parseExpression, parseFilter, type Expr } from '../expr/index.js'
import { findField, type StructType } from '../model/schema.js'

/** A row-level operation's predicate: which rows it keeps, and which files it may skip. */
export interface RowPredicate {
  readonly text: string
  /** 1 where the predicate is TRUE (never for FALSE or NULL). */
  matches(rows: Table): Uint8Array
  /** The same predicate as a filter for skipping files by partition values and stats, when it is one. */
  readonly skipping: Expr | undefined
  /** The top-level columns it reads, as the schema names them. */
  readonly columns: string[]
}

/**
 * Parse an operation's predicate against the table's schema. A predicate in the filter grammar
 * (`toArrow({ filter })`'s) also skips the files that cannot match; one that needs more of SQL
 * (arithmetic, functions, CASE) is evaluated on every row of every file.
 */
export function parseRowPredicate(text: string, schema: StructType): RowPredicate {
  let filter: Expr | undefined
  try {
    filter = parseFilter(text, schema)
  } catch (e) {
    if (!isDeltaError(e, 'InvalidArgument') && !isDeltaError(e, 'UnsupportedFeature')) throw e
  }
  if (filter) {
    const expr = filter
    return { text, skipping: expr, columns: topLevel(columnsOf(expr), schema), matches: (rows) => evaluateFilter(expr, rows) }
  }
  const condition = parseExpression(text, schema)
  if (condition.type !== 'boolean') throw new DeltaError('InvalidArgument', `the predicate '${text}' is not a condition (it gives a ${typeof condition.type === 'string' ? condition.type : condition.type.type})`)
  return {
    text,
    skipping: undefined,
    columns: topLevel(columnsOfSql(condition).map((c) => c.path), schema),
    matches: (rows) => evaluateCondition(condition, rows).map((t) => (t === 2 ? 1 : 0)),
  }
}

function topLevel(paths: readonly (readonly string[])[], schema: StructType): string[] {
  const names = paths.map((p) => findField(schema, p[0]!)?.name ?? p[0]!)
  return [...new Set(names)]
}

import { Table, type RecordBatch } from 'apache-arrow'
import type { StructType } from '../model/schema.js'
import { checkConstraints } from './features/constraints.js'
import { applyGeneratedColumns } from './features/generated.js'
import { assignIdentityValues } from './features/identity.js'
import { castToTableSchema } from './schema-merge.js'

/**
 * The state a write carries from batch to batch: the schema (identity columns move their
 * high-water mark) and the table properties (constraints).
 */
export interface BatchContext {
  schema: StructType
  configuration: Record<string, string>
}

/**
 * Turn one input batch into what the table stores: cast to the table's types (NOT NULL checked),
 * fill identity and generated columns, then check invariants and CHECK constraints. Throws
 * before anything of the batch is written.
 */
export function prepareBatch(batch: RecordBatch, ctx: BatchContext): Table {
  const identity = assignIdentityValues(castToTableSchema(new Table([batch]), ctx.schema), ctx.schema)
  ctx.schema = identity.schema
  const table = applyGeneratedColumns(identity.table, ctx.schema)
  checkConstraints(table, ctx.configuration, ctx.schema)
  return table
}

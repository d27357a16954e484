import type { Table } from 'apache-arrow'
import type { StructType } from '../model/schema.js'
import { checkConstraints } from '../write/features/constraints.js'
import { applyGeneratedColumns, generatedColumnsOf } from '../write/features/generated.js'
import { castToTableSchema } from '../write/schema-merge.js'

/**
 * Changed rows (an update's or a merge's new values over the old rows) as the table stores them,
 * with every table rule kept: cast to the table's types with NOT NULL checked, generated columns
 * recomputed from the new values, then invariants and CHECK constraints. Identity columns keep
 * the values they have. Throws `ConstraintViolation` before anything of them is written.
 */
export function enforceTableRules(rows: Table, schema: StructType, configuration: Readonly<Record<string, string>>): Table {
  const cast = castToTableSchema(rows, schema)
  const generated = new Set(generatedColumnsOf(schema).map((g) => g.field.name))
  const inputs = generated.size > 0 ? cast.select(cast.schema.fields.map((f) => f.name).filter((n) => !generated.has(n))) : cast
  const out = applyGeneratedColumns(inputs, schema)
  checkConstraints(out, configuration, schema)
  return out
}

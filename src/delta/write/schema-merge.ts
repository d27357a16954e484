import { DataType, type Table } from 'apache-arrow'
import { conformTable } from '../arrow/conform.js'
import { DeltaError } from '../engine/errors.js'
import { findField, type StructField, type StructType } from '../model/schema.js'
import { arrowFieldToDelta } from './arrow-to-delta.js'
import { checkNotNull } from './features/invariants.js'
import { isComputedColumn, reconcileFields, type ReconcileState } from './schema-merge-reconcile.js'

export { TYPE_CHANGES_KEY, isComputedColumn, type TypeChange } from './schema-merge-reconcile.js'

/** Options of {@link mergeSchemas}. */
export interface MergeSchemaOptions {
  /**
   * Unset: the data must fit the table's schema as it is. `merge`: schema evolution (new
   * columns are added, types widened where allowed). `overwrite`: the data's schema replaces
   * the table's (valid only when the write overwrites the table; the caller checks that).
   */
  mode?: 'merge' | 'overwrite'
  /**
   * The table allows type widening (`delta.enableTypeWidening = true`, so the `typeWidening`
   * feature is on). Without it, a merge that would widen a type is refused, as the protocol
   * requires. Default false.
   */
  allowTypeWidening?: boolean
}

/** The schema a write leaves the table with. */
export interface MergedSchema {
  schema: StructType
  /** The schema differs from the table's (the write must commit a metaData action). */
  changed: boolean
  /**
   * Some column's type was widened (recorded in `delta.typeChanges` of its field): the table
   * needs the `typeWidening` feature.
   */
  needsTypeWidening: boolean
  /**
   * Paths of the fields the merge added (top-level, or inside structs). Under column mapping
   * they have no id or physical name yet: the caller assigns them (`assignColumnMapping`).
   */
  addedPaths: string[][]
}

/**
 * Check incoming data's schema against the table's and work out the table's schema after the
 * write, as Delta writers enforce and evolve schemas:
 * - plain writes: every data column must be a table column (names match case-insensitively,
 *   in any order), of the same type or one that converts exactly (integer into long, float into
 *   double, a narrower decimal into a wider one, date into timestamp_ntz). Table columns the
 *   data lacks are written as null, so they must be nullable (identity and generated columns
 *   excepted: the writer fills them). Nullable data into a NOT NULL column is accepted here;
 *   the rows are checked when written.
 * - `merge`: new columns are added at the end (inside structs too), and types widen where Delta
 *   widens them automatically (byte < short < integer < long, float to double, date to
 *   timestamp_ntz, decimal precision/scale increase; needs `allowTypeWidening`). Existing field
 *   metadata (column mapping ids and names, identity, comments) is kept.
 * - `overwrite`: the incoming schema, as it is.
 * Anything else is `SchemaMismatch`, with one line per difference: `+ extra: string (not in
 * table)`, `- missing: long (not nullable)`, `~ id: string in data, long in table`.
 */
export function mergeSchemas(current: StructType, incoming: StructType, opts: MergeSchemaOptions = {}): MergedSchema {
  if (opts.mode === 'overwrite') {
    return { schema: incoming, changed: JSON.stringify(current) !== JSON.stringify(incoming), needsTypeWidening: false, addedPaths: [] }
  }
  const state: ReconcileState = {
    merge: opts.mode === 'merge', allowWidening: opts.allowTypeWidening === true,
    diffs: [], added: [], widened: false, wideningRefused: false,
  }
  const fields = reconcileFields(current.fields, incoming.fields, '', state)
  if (state.diffs.length > 0) throw mismatchError(state)
  const changed = state.widened || state.added.length > 0
  return {
    schema: changed ? { ...current, fields } : current,
    changed,
    needsTypeWidening: state.widened,
    addedPaths: state.added,
  }
}

function mismatchError(state: ReconcileState): DeltaError {
  const advice: string[] = []
  if (state.diffs.some((d) => d.startsWith('+'))) advice.push("write with schemaMode 'merge' to add the new columns")
  if (state.wideningRefused) {
    advice.push(state.merge
      ? "set the table property delta.enableTypeWidening = 'true' to let schemaMode 'merge' widen column types"
      : "write with schemaMode 'merge' on a table with delta.enableTypeWidening = 'true' to widen column types")
  }
  advice.push("or replace the schema with mode 'overwrite' and schemaMode 'overwrite'")
  return new DeltaError(
    'SchemaMismatch',
    `the data does not match the table schema (+ not in the table, - missing from the data, ~ different type):\n${state.diffs.join('\n')}\n${advice.join('; ')}`,
  )
}

/**
 * The Delta schema of the data's columns. A column of Arrow type Null (no value anywhere) takes
 * the type of the table column it fills, since it holds nothing to convert.
 */
function dataSchemaOf(table: Table, schema: StructType): StructType {
  const fields = table.schema.fields.map((f): StructField => {
    const target = DataType.isNull(f.type) ? findField(schema, f.name) : undefined
    return target ? { name: f.name, type: target.type, nullable: true, metadata: {} } : arrowFieldToDelta(f, f.name)
  })
  return { type: 'struct', fields }
}

/**
 * Data as the table stores it: columns in schema order with the table's names and canonical
 * Arrow types (exact conversions of `arrow/conform.ts`), the columns the data lacks filled with
 * nulls. The data's schema must fit the table's ({@link mergeSchemas} without a mode, else
 * `SchemaMismatch`), and NOT NULL columns must have a value in every row (else
 * `ConstraintViolation` naming the column and how many rows lack one); identity and generated
 * columns are exempt, as the writer fills them afterwards.
 */
export function castToTableSchema(table: Table, schema: StructType): Table {
  mergeSchemas(schema, dataSchemaOf(table, schema))
  const out = conformTable(table, schema, { columnMapping: 'none' })
  checkNotNull(out, { type: 'struct', fields: schema.fields.filter((f) => !isComputedColumn(f)) })
  return out
}

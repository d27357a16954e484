import type { Engine } from '../../engine/engine.js'
import { DeltaError } from '../../engine/errors.js'
import type { Snapshot } from '../../log/snapshot.js'
import { formatSchema, type StructField } from '../../model/schema.js'
import type { TransactionOptions } from '../../txn/options.js'
import { checkOptions, checkStringMap, TRANSACTION_OPTIONS, type OptionChecks } from '../check-options.js'
import { commitMetadataChange, type MetadataChange } from './commit-metadata.js'

/** Options of `setColumnMetadata` and `dropColumnNotNull`: the commit's. */
export type ColumnChangeOptions = TransactionOptions

/** The options `setColumnMetadata` and `dropColumnNotNull` accept. */
export const COLUMN_CHANGE_OPTIONS: OptionChecks = TRANSACTION_OPTIONS

/**
 * Set metadata entries of a top-level column (`{ comment: 'why' }`), as delta-rs's
 * `alter.set_column_metadata`: the given keys are set, the others kept. Keys starting with
 * `delta.` (column mapping, generation, identity, invariants) belong to the protocol and are
 * refused. Records commitInfo as delta-rs's `UPDATE FIELD METADATA`.
 */
export async function setColumnMetadata(engine: Engine, column: string, metadata: Record<string, string>, opts: ColumnChangeOptions = {}): Promise<{ version: number }> {
  checkOptions('set column metadata', opts, COLUMN_CHANGE_OPTIONS)
  checkStringMap(metadata, 'metadata')
  const keys = Object.keys(metadata)
  if (keys.length === 0) throw new DeltaError('InvalidArgument', "give at least one metadata entry to set, such as { comment: 'the order id' }")
  const reserved = keys.find((k) => k.toLowerCase().startsWith('delta.'))
  if (reserved) throw new DeltaError('InvalidArgument', `column metadata '${reserved}' cannot be changed: delta.* keys are kept by the protocol`)
  return commitMetadataChange(engine, 'UPDATE FIELD METADATA', opts, (snapshot) =>
    changeColumn(snapshot, column, (f) => ({ ...f, metadata: { ...f.metadata, ...metadata } }), (f) => ({ fields: JSON.stringify([f]) })))
}

/**
 * Let a top-level column hold nulls (drop its NOT NULL), as Spark's
 * `ALTER TABLE ... CHANGE COLUMN c DROP NOT NULL`. Existing rows are untouched. Records
 * commitInfo as Spark's `CHANGE COLUMN`.
 */
export async function dropColumnNotNull(engine: Engine, column: string, opts: ColumnChangeOptions = {}): Promise<{ version: number }> {
  checkOptions('drop column not null', opts, COLUMN_CHANGE_OPTIONS)
  return commitMetadataChange(engine, 'CHANGE COLUMN', opts, (snapshot) =>
    changeColumn(snapshot, column, (f) => ({ ...f, nullable: true }), (f) => ({ column: JSON.stringify(f) })))
}

/** The metadata with one top-level column changed; an unknown column is `InvalidArgument`. */
function changeColumn(
  snapshot: Snapshot, column: string, change: (f: StructField) => StructField,
  parameters: (f: StructField) => Record<string, unknown>,
): MetadataChange {
  if (typeof column !== 'string' || column === '') throw new DeltaError('InvalidArgument', 'give the name of a column')
  const i = snapshot.schema.fields.findIndex((f) => f.name.toLowerCase() === column.toLowerCase())
  if (i < 0) throw new DeltaError('InvalidArgument', `the table has no column '${column}'; its columns are ${snapshot.schema.fields.map((f) => f.name).join(', ')}`)
  const fields = [...snapshot.schema.fields]
  fields[i] = change(fields[i]!)
  return {
    metadata: { ...snapshot.metadata, schemaString: formatSchema({ ...snapshot.schema, fields }) },
    parameters: parameters(fields[i]!),
  }
}

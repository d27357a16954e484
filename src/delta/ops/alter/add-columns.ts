import type { Engine } from '../../engine/engine.js'
import { DeltaError } from '../../engine/errors.js'
import { MAX_COLUMN_ID_KEY } from '../../features/column-mapping.js'
import { formatSchema, parseSchema, type StructField, type StructType } from '../../model/schema.js'
import type { TransactionOptions } from '../../txn/options.js'
import { assignColumnMapping } from '../../write/features/column-mapping-assign.js'
import { checkOptions, isPlainObject, TRANSACTION_OPTIONS, type OptionChecks } from '../check-options.js'
import { commitMetadataChange } from './commit-metadata.js'

/** Options of `addColumns`: the commit's. */
export type AddColumnsOptions = TransactionOptions

/** The options `addColumns` accepts. */
export const ADD_COLUMNS_OPTIONS: OptionChecks = TRANSACTION_OPTIONS

// Field metadata an added column may not bring: the library assigns the first, and Spark adds
// generated and identity columns only when a table is created.
const RESERVED_FIELD_METADATA = [/^delta\.columnMapping\./, /^delta\.generationExpression$/, /^delta\.identity\./]

/**
 * Add columns at the end of the schema, as delta-rs's `alter.add_columns` and Spark's
 * `ALTER TABLE ... ADD COLUMNS`: existing rows read null in them, so they must be nullable (NOT
 * NULL is refused, as Spark refuses it). A name already in the table or given twice (any case)
 * is `InvalidArgument`; under column mapping each new field, nested ones too, gets an id and a
 * physical name. The protocol is raised when a type needs it (`timestamp_ntz`). Records
 * commitInfo as Spark's `ADD COLUMNS`.
 */
export async function addColumns(engine: Engine, fields: StructField[], opts: AddColumnsOptions = {}): Promise<{ version: number }> {
  checkOptions('add columns', opts, ADD_COLUMNS_OPTIONS)
  const added = checkedFields(fields)
  return commitMetadataChange(engine, 'ADD COLUMNS', opts, (snapshot) => {
    const names = new Set(snapshot.schema.fields.map((f) => f.name.toLowerCase()))
    const clash = added.find((f) => names.has(f.name.toLowerCase()))
    if (clash) throw new DeltaError('InvalidArgument', `the table already has a column '${clash.name}'`)
    let schema: StructType = { type: 'struct', fields: [...snapshot.schema.fields, ...added] }
    const configuration = { ...snapshot.metadata.configuration }
    if (snapshot.columnMapping !== 'none') {
      const assigned = assignColumnMapping(schema, Number(configuration[MAX_COLUMN_ID_KEY] ?? 0))
      schema = assigned.schema
      configuration[MAX_COLUMN_ID_KEY] = String(assigned.maxColumnId)
    }
    return {
      metadata: { ...snapshot.metadata, schemaString: formatSchema(schema), configuration },
      parameters: { columns: JSON.stringify(added.map((column) => ({ column }))) },
    }
  })
}

/** The fields, each a valid Delta field (through the schema parser), nullable, with no reserved metadata, names unique in any case. */
function checkedFields(fields: unknown): StructField[] {
  if (!Array.isArray(fields) || fields.length === 0) {
    throw new DeltaError('InvalidArgument', "give at least one field to add: [{ name: 'c', type: 'string', nullable: true, metadata: {} }]")
  }
  const normalised = fields.map((f) => (isPlainObject(f) ? { metadata: {}, ...f } : f))
  const names = normalised.map((f) => (isPlainObject(f) && typeof f.name === 'string' ? f.name.toLowerCase() : undefined))
  const twice = names.find((n, i) => n !== undefined && names.indexOf(n) !== i)
  if (twice !== undefined) throw new DeltaError('InvalidArgument', `column '${twice}' is given twice (names are compared ignoring case)`)
  let parsed: StructType
  try {
    parsed = parseSchema(JSON.stringify({ type: 'struct', fields: normalised }))
  } catch (e) {
    throw new DeltaError('InvalidArgument', `the fields to add are not valid Delta fields: ${(e as Error).message}`, { cause: e })
  }
  for (const f of parsed.fields) {
    if (!f.nullable) throw new DeltaError('InvalidArgument', `column '${f.name}' is NOT NULL: an added column must be nullable, since existing rows have no value for it`)
    const reserved = Object.keys(f.metadata).find((k) => RESERVED_FIELD_METADATA.some((re) => re.test(k)))
    if (reserved) throw new DeltaError('InvalidArgument', `column '${f.name}' may not set metadata '${reserved}' when added`)
  }
  return parsed.fields
}

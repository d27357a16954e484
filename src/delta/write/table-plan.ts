import type { MetadataAction, ProtocolAction } from '../model/actions.js'
import { DeltaError } from '../engine/errors.js'
import { findField, formatSchema, type StructType } from '../model/schema.js'
import type { Snapshot } from '../log/snapshot.js'
import { columnMappingMode, MAX_COLUMN_ID_KEY, type ColumnMappingMode } from '../features/column-mapping.js'
import { booleanProperty, TYPE_WIDENING_KEY } from '../features/table-config.js'
import { assignColumnMapping } from './features/column-mapping-assign.js'
import { requiredProtocol } from './features/protocol-select.js'
import { mergeSchemas } from './schema-merge.js'
import { randomUuid } from './data-files.js'
import type { WriteOptions } from './write-options.js'

/** The table a write produces: schema, partitioning and the actions that change them. */
export interface TablePlan {
  schema: StructType
  partitionColumns: string[]
  configuration: Record<string, string>
  columnMapping: ColumnMappingMode
  /** Set when the write creates the table or changes its metadata. */
  metadata?: MetadataAction
  /** Set when the write creates the table or raises its protocol. */
  protocol?: ProtocolAction
}

/**
 * Work out the table after the write from the current snapshot (if any), the schema of the
 * incoming data and the options: a new table takes the data's schema; an existing one keeps its
 * own unless `schemaMode` says otherwise; partitioning never changes except by overwriting the
 * schema.
 */
export function planTable(current: Snapshot | undefined, incoming: StructType, opts: WriteOptions): TablePlan {
  if (!current || (opts.mode === 'overwrite' && opts.schemaMode === 'overwrite')) {
    return planNewTable(current, incoming, opts)
  }
  checkPartitioning(current.metadata.partitionColumns, opts.partitionBy)
  if (opts.schemaMode === 'overwrite') {
    throw new DeltaError('InvalidArgument', "schemaMode 'overwrite' needs mode 'overwrite'")
  }
  const merged = mergeSchemas(current.schema, incoming, {
    mode: opts.schemaMode,
    allowTypeWidening: booleanProperty(current.metadata.configuration, TYPE_WIDENING_KEY),
  })
  const plan: TablePlan = {
    schema: current.schema,
    partitionColumns: current.metadata.partitionColumns,
    configuration: current.metadata.configuration,
    columnMapping: current.columnMapping,
  }
  if (!merged.changed) return plan
  let schema = merged.schema
  let configuration = current.metadata.configuration
  if (plan.columnMapping !== 'none') {
    const assigned = assignColumnMapping(schema, Number(configuration[MAX_COLUMN_ID_KEY] ?? 0))
    schema = assigned.schema
    configuration = { ...configuration, [MAX_COLUMN_ID_KEY]: String(assigned.maxColumnId) }
  }
  const metadata: MetadataAction = { ...current.metadata, schemaString: formatSchema(schema), configuration }
  const protocol = requiredProtocol({ schema, configuration, partitionColumns: plan.partitionColumns }, current.protocol)
  return {
    ...plan, schema, configuration, metadata,
    protocol: sameProtocol(protocol, current.protocol) ? undefined : protocol,
  }
}

function planNewTable(current: Snapshot | undefined, incoming: StructType, opts: WriteOptions): TablePlan {
  const partitionColumns = (opts.partitionBy ?? []).map((c) => {
    const f = findField(incoming, c)
    if (!f) throw new DeltaError('InvalidArgument', `partition column '${c}' is not in the data; its columns are ${incoming.fields.map((x) => x.name).join(', ')}`)
    if (typeof f.type !== 'string') throw new DeltaError('InvalidArgument', `partition column '${c}' must have a primitive type, not ${f.type.type}`)
    return f.name
  })
  let configuration = { ...current?.metadata.configuration, ...opts.configuration }
  const mode = columnMappingMode({ configuration } as MetadataAction)
  let schema = incoming
  if (mode !== 'none') {
    const assigned = assignColumnMapping(incoming, 0)
    schema = assigned.schema
    configuration = { ...configuration, [MAX_COLUMN_ID_KEY]: String(assigned.maxColumnId) }
  }
  const metadata: MetadataAction = {
    kind: 'metaData',
    id: current?.metadata.id ?? randomUuid(),
    name: opts.name ?? current?.metadata.name ?? null,
    description: opts.description ?? current?.metadata.description ?? null,
    format: { provider: 'parquet', options: {} },
    schemaString: formatSchema(schema),
    partitionColumns,
    configuration,
    createdTime: current?.metadata.createdTime ?? Date.now(),
  }
  const protocol = requiredProtocol({ schema, configuration, partitionColumns }, current?.protocol)
  return { schema, partitionColumns, configuration, columnMapping: mode, metadata, protocol }
}

function checkPartitioning(existing: readonly string[], asked: readonly string[] | undefined): void {
  if (!asked) return
  const same = asked.length === existing.length && asked.every((c, i) => c.toLowerCase() === existing[i]!.toLowerCase())
  if (!same) {
    throw new DeltaError('InvalidArgument', `the table is partitioned by [${existing.join(', ')}], not [${asked.join(', ')}]; overwrite it with schemaMode 'overwrite' to change the partitioning`)
  }
}

function sameProtocol(a: ProtocolAction, b: ProtocolAction): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

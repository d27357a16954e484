import type { Engine } from '../../engine/engine.js'
import { DeltaError } from '../../engine/errors.js'
import { COLUMN_MAPPING_MODE_KEY, columnMappingMode, MAX_COLUMN_ID_KEY } from '../../features/column-mapping.js'
import {
  booleanProperty, IN_COMMIT_TIMESTAMP_ENABLEMENT_VERSION_KEY, IN_COMMIT_TIMESTAMPS_KEY,
} from '../../features/table-config.js'
import type { Snapshot } from '../../log/snapshot.js'
import type { MetadataAction } from '../../model/actions.js'
import { formatSchema } from '../../model/schema.js'
import type { TransactionOptions } from '../../txn/options.js'
import type { Transaction } from '../../txn/transaction.js'
import { assignColumnMapping } from '../../write/features/column-mapping-assign.js'
import { checkBoolean, checkOptions, checkStringMap, TRANSACTION_OPTIONS, type OptionChecks } from '../check-options.js'
import { commitMetadataChange } from './commit-metadata.js'
import { checkProperty } from './property-checks.js'

/** Table property: when in-commit timestamps were enabled, as the enabling commit's timestamp. */
const IN_COMMIT_TIMESTAMP_ENABLEMENT_TIMESTAMP_KEY = 'delta.inCommitTimestampEnablementTimestamp'

/** Options of `setTableProperties`: the commit's, and how unknown `delta.*` keys are met. */
export interface SetTablePropertiesOptions extends TransactionOptions {
  /** Refuse (the default) a `delta.*` key this library does not know; false stores it as given. */
  raiseIfNotExists?: boolean
}

/** The options `setTableProperties` accepts. */
export const SET_TABLE_PROPERTIES_OPTIONS: OptionChecks = { raiseIfNotExists: checkBoolean, ...TRANSACTION_OPTIONS }

/**
 * Set table properties, as delta-rs's `alter.set_table_properties` and Spark's
 * `ALTER TABLE ... SET TBLPROPERTIES`: the given keys are set, the others kept. Known `delta.*`
 * values are checked (booleans, `interval ...` durations, whole numbers, enumerations) and the
 * protocol is raised to what the properties need (`delta.enableDeletionVectors` and
 * `delta.enableInCommitTimestamps` move the table to table features, `delta.enableChangeDataFeed`
 * to writer 4, `delta.appendOnly` to writer 2...). Turning column mapping to 'name' on an
 * existing table gives every column an id and a physical name equal to its name (its data files
 * already use the names); 'id', and any change away from a mapping mode, are refused. Enabling
 * in-commit timestamps records the version (the next) and time they start from; a concurrent
 * commit then makes this one conflict rather than land at another version. Records commitInfo
 * as Spark's `SET TBLPROPERTIES`.
 */
export async function setTableProperties(engine: Engine, properties: Record<string, string>, opts: SetTablePropertiesOptions = {}): Promise<{ version: number }> {
  checkOptions('set table properties', opts, SET_TABLE_PROPERTIES_OPTIONS)
  checkStringMap(properties, 'properties')
  const keys = Object.keys(properties)
  if (keys.length === 0) throw new DeltaError('InvalidArgument', 'give at least one property to set: { "delta.appendOnly": "true" }')
  for (const key of keys) checkProperty(key, properties[key]!, opts.raiseIfNotExists !== false)
  return commitMetadataChange(engine, 'SET TBLPROPERTIES', opts, (snapshot, txn) => ({
    metadata: withProperties(snapshot, txn, properties),
    parameters: { properties: JSON.stringify(properties) },
  }))
}

/** The snapshot's metadata with `properties` set, and what they imply for the schema and in-commit timestamps. */
function withProperties(snapshot: Snapshot, txn: Transaction, properties: Record<string, string>): MetadataAction {
  const before = snapshot.metadata
  const configuration = { ...before.configuration, ...properties }
  let schemaString = before.schemaString
  const from = snapshot.columnMapping
  const to = columnMappingMode({ configuration })
  if (from !== to) {
    if (from !== 'none') throw new DeltaError('UnsupportedFeature', `the table maps columns by ${from}; changing delta.columnMapping.mode to '${to}' is not supported`)
    if (to === 'id') throw new DeltaError('UnsupportedFeature', "column mapping mode 'id' cannot be turned on for an existing table (its data files carry no field ids); use 'name'")
    const assigned = assignColumnMapping(snapshot.schema, 0, { physicalNames: 'name' })
    schemaString = formatSchema(assigned.schema)
    configuration[MAX_COLUMN_ID_KEY] = String(assigned.maxColumnId)
    configuration[COLUMN_MAPPING_MODE_KEY] = to
  }
  if (booleanProperty(configuration, IN_COMMIT_TIMESTAMPS_KEY) && !booleanProperty(before.configuration, IN_COMMIT_TIMESTAMPS_KEY)) {
    configuration[IN_COMMIT_TIMESTAMP_ENABLEMENT_VERSION_KEY] = String(snapshot.version + 1)
    configuration[IN_COMMIT_TIMESTAMP_ENABLEMENT_TIMESTAMP_KEY] = String(Date.now())
    // The enablement version names the next one: any concurrent commit must make this one conflict.
    txn.readFrom({ files: new Set(snapshot.files.map((f) => f.path)), mayHaveRead: () => true })
  }
  return { ...before, schemaString, configuration }
}

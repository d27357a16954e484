import type { DeltaType, StructField, StructType } from '../../model/schema.js'
import { COLUMN_MAPPING_MODE_KEY } from '../../features/column-mapping.js'
import {
  APPEND_ONLY_KEY, booleanProperty, CHANGE_DATA_FEED_KEY, IN_COMMIT_TIMESTAMPS_KEY, TYPE_WIDENING_KEY,
} from '../../features/table-config.js'
import { CONSTRAINT_PREFIX } from './constraints.js'
import { GENERATION_EXPRESSION_KEY } from './generated.js'
import { isIdentityColumn } from './identity.js'
import { INVARIANTS_KEY } from './invariants.js'

/** What a table's metadata says about it, as far as the protocol is concerned. */
export interface TableMetadataView {
  schema: StructType
  configuration: Readonly<Record<string, string>>
  partitionColumns: readonly string[]
}

/** Features the protocol defines for both readers and writers; the rest are writer-only. */
export const READER_WRITER_FEATURES: ReadonlySet<string> = new Set([
  'columnMapping', 'deletionVectors', 'timestampNtz', 'v2Checkpoint', 'vacuumProtocolCheck', 'typeWidening',
  'typeWidening-preview', 'variantType', 'variantType-preview', 'variantShredding', 'variantShredding-preview',
  'catalogManaged', 'catalogOwned-preview',
])

/** The features each legacy writer version implies (each row adds to the one before). */
export const LEGACY_WRITER_FEATURES: readonly (readonly string[])[] = [
  [], [], ['appendOnly', 'invariants'], ['checkConstraints'], ['changeDataFeed', 'generatedColumns'], ['columnMapping'], ['identityColumns'],
]

/** The legacy writer version a feature needs, or undefined when it needs table features (7). */
export function legacyWriterVersion(feature: string): number | undefined {
  const i = LEGACY_WRITER_FEATURES.findIndex((fs) => fs.includes(feature))
  return i < 0 ? undefined : i
}

/** Every feature a legacy writer version supports. */
export function featuresOfWriterVersion(version: number): string[] {
  return LEGACY_WRITER_FEATURES.slice(0, Math.min(version, 6) + 1).flat()
}

function someField(fields: readonly StructField[], test: (f: StructField) => boolean): boolean {
  return fields.some((f) => test(f) || typeHas(f.type, test))
}

function typeHas(t: DeltaType, test: (f: StructField) => boolean): boolean {
  if (typeof t === 'string') return false
  switch (t.type) {
    case 'struct': return someField(t.fields, test)
    case 'array': return typeHas(t.elementType, test)
    case 'map': return typeHas(t.keyType, test) || typeHas(t.valueType, test)
  }
}

function usesType(t: DeltaType, primitive: string): boolean {
  if (typeof t === 'string') return t === primitive
  switch (t.type) {
    case 'struct': return t.fields.some((f) => usesType(f.type, primitive))
    case 'array': return usesType(t.elementType, primitive)
    case 'map': return usesType(t.keyType, primitive) || usesType(t.valueType, primitive)
  }
}

const PROPERTY_FEATURES: ReadonlyArray<[string, string]> = [
  [APPEND_ONLY_KEY, 'appendOnly'],
  [CHANGE_DATA_FEED_KEY, 'changeDataFeed'],
  ['delta.enableDeletionVectors', 'deletionVectors'],
  [TYPE_WIDENING_KEY, 'typeWidening'],
  [IN_COMMIT_TIMESTAMPS_KEY, 'inCommitTimestamp'],
  ['delta.enableRowTracking', 'rowTracking'],
  ['delta.enableIcebergCompatV1', 'icebergCompatV1'],
  ['delta.enableIcebergCompatV2', 'icebergCompatV2'],
]

/**
 * The table features the metadata uses (active features): table properties (`delta.appendOnly`,
 * `delta.enableChangeDataFeed`, `delta.enableDeletionVectors`, `delta.checkpointPolicy=v2`...),
 * CHECK constraints, column mapping, and schema contents (invariants, generated and identity
 * columns, column defaults, timestamp_ntz anywhere). Features asked for explicitly with
 * `delta.feature.<name> = supported|enabled` are included. Dependencies are added
 * (rowTracking needs domainMetadata, icebergCompat needs columnMapping).
 */
export function featuresUsedBy(metadata: TableMetadataView): Set<string> {
  const { schema, configuration } = metadata
  const used = new Set<string>()
  for (const [key, feature] of PROPERTY_FEATURES) if (booleanProperty(configuration, key)) used.add(feature)
  if (String(configuration['delta.checkpointPolicy'] ?? '').toLowerCase() === 'v2') used.add('v2Checkpoint')
  const mode = configuration[COLUMN_MAPPING_MODE_KEY]
  if (mode === 'name' || mode === 'id') used.add('columnMapping')
  if (Object.keys(configuration).some((k) => k.toLowerCase().startsWith(CONSTRAINT_PREFIX))) used.add('checkConstraints')
  if (someField(schema.fields, (f) => f.metadata[INVARIANTS_KEY] !== undefined)) used.add('invariants')
  if (schema.fields.some((f) => f.metadata[GENERATION_EXPRESSION_KEY] !== undefined)) used.add('generatedColumns')
  if (schema.fields.some(isIdentityColumn)) used.add('identityColumns')
  if (someField(schema.fields, (f) => f.metadata.CURRENT_DEFAULT !== undefined)) used.add('allowColumnDefaults')
  if (usesType(schema, 'timestamp_ntz')) used.add('timestampNtz')
  for (const [key, value] of Object.entries(configuration)) {
    const m = /^delta\.feature\.(.+)$/.exec(key)
    if (m && /^(supported|enabled)$/i.test(value)) used.add(m[1]!)
  }
  if (used.has('rowTracking') || used.has('clustering')) used.add('domainMetadata')
  if (used.has('icebergCompatV1') || used.has('icebergCompatV2')) used.add('columnMapping')
  return used
}

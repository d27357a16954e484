import type { MetadataAction } from '../model/actions.js'
import { DeltaError } from '../engine/errors.js'
import type { DeltaType, StructField, StructType } from '../model/schema.js'

/** How data files name columns: by logical name, by physical name, or by Parquet field id. */
export type ColumnMappingMode = 'none' | 'name' | 'id'

/** Table property that sets the column mapping mode. */
export const COLUMN_MAPPING_MODE_KEY = 'delta.columnMapping.mode'
/** Table property holding the highest column id assigned so far. */
export const MAX_COLUMN_ID_KEY = 'delta.columnMapping.maxColumnId'
/** Delta field metadata key of a column's name inside data files under column mapping. */
export const PHYSICAL_NAME_KEY = 'delta.columnMapping.physicalName'
/** Delta field metadata key of a column's Parquet field id under column mapping. */
export const FIELD_ID_KEY = 'delta.columnMapping.id'
/** The Arrow field metadata key under which Parquet readers (arrow-rs, pyarrow) put field ids. */
export const PARQUET_FIELD_ID_KEY = 'PARQUET:field_id'

/** The table's column mapping mode, from `delta.columnMapping.mode`; other values are refused. */
export function columnMappingMode(metadata: Pick<MetadataAction, 'configuration'>): ColumnMappingMode {
  const mode = metadata.configuration[COLUMN_MAPPING_MODE_KEY] ?? 'none'
  if (mode !== 'none' && mode !== 'name' && mode !== 'id') {
    throw new DeltaError('UnsupportedFeature', `column mapping mode '${mode}' is not supported`)
  }
  return mode
}

/**
 * The name a field has inside data files, in partition values and in file statistics under the
 * mapping mode. The one place this is decided: scans, stats, checkpoints and writes all ask here.
 *
 * With mode 'none' it is the display name. Under 'name' and 'id' it is the field's
 * `delta.columnMapping.physicalName`; a field without the key keeps its display name. PROTOCOL.md
 * gives every column a unique physical name, so a value that is there but empty (or not a
 * string) names nothing: the log is invalid, and `InvalidLog` names the column rather than
 * guess which data it meant.
 */
export function physicalName(field: StructField, mode: ColumnMappingMode): string {
  if (mode === 'none') return field.name
  const p = field.metadata[PHYSICAL_NAME_KEY]
  if (p === undefined || p === null) return field.name
  if (typeof p !== 'string' || p === '') {
    throw new DeltaError('InvalidLog', `column '${field.name}' has an invalid physical name (${JSON.stringify(p)} in ${PHYSICAL_NAME_KEY}); the table's schema is damaged`)
  }
  return p
}

/** Where a file's value of one partition column is found in `partitionValues`. */
export interface PartitionKey {
  /** The partition column, as the schema has it. */
  field: StructField
  /** The key the protocol uses: the column's physical name ({@link physicalName}). */
  key: string
  /** The logical name, read when `key` is absent; undefined when it may not be (see {@link partitionKeys}). */
  fallback?: string
}

/**
 * The keys of a table's partition columns in `add`, `remove` and `cdc` partition values.
 * PROTOCOL.md keys them by physical name, which is the logical name without column mapping.
 *
 * Under column mapping, earlier versions of this library keyed them by logical name. To keep
 * reading those logs, a value is taken from the logical name when the physical key is absent
 * and the logical key is present. The fallback is not used when the logical name is also the
 * physical name of another partition column (a column renamed, then a new one given its old
 * name): that key holds the other column's value.
 */
export function partitionKeys(fields: readonly StructField[], mode: ColumnMappingMode): PartitionKey[] {
  const keys = fields.map((f) => physicalName(f, mode))
  const taken = new Set(keys)
  return fields.map((field, i) => {
    const key = keys[i]!
    return field.name === key || taken.has(field.name) ? { field, key } : { field, key, fallback: field.name }
  })
}

/**
 * A file's partition value of one column as the log writes it (a string, null for null),
 * looked up by {@link partitionKeys}' rule. A missing value is null; keys only an object's
 * prototype has (`constructor`) are missing.
 */
export function lookupPartitionValue(values: Readonly<Record<string, string | null>> | null | undefined, k: PartitionKey): string | null {
  if (!values) return null
  if (Object.hasOwn(values, k.key)) return values[k.key] ?? null
  if (k.fallback !== undefined && Object.hasOwn(values, k.fallback)) return values[k.fallback] ?? null
  return null
}

/**
 * Partition values keyed as the protocol keys them (by {@link PartitionKey.key}), whatever keys
 * `values` used: for actions written from a file an older writer keyed by logical name.
 */
export function physicalPartitionValues(values: Readonly<Record<string, string | null>> | null | undefined, keys: readonly PartitionKey[]): Record<string, string | null> {
  const out: Record<string, string | null> = {}
  for (const k of keys) out[k.key] = lookupPartitionValue(values, k)
  return out
}

/**
 * The fields along a logical column path through nested structs (names matched exactly), or
 * undefined when the path is not in the schema.
 */
export function fieldsAlong(schema: StructType, path: readonly string[]): StructField[] | undefined {
  const out: StructField[] = []
  let struct: StructType | undefined = schema
  for (const name of path) {
    const field: StructField | undefined = struct?.fields.find((f) => f.name === name)
    if (!field) return undefined
    out.push(field)
    struct = typeof field.type === 'object' && field.type.type === 'struct' ? field.type : undefined
  }
  return out
}

/**
 * Check every field of the schema, nested ones too, for a valid physical name under the mode,
 * so that a damaged schema is refused when the table is opened rather than midway in a scan.
 */
export function checkPhysicalNames(schema: StructType, mode: ColumnMappingMode): void {
  if (mode === 'none') return
  const visit = (t: DeltaType): void => {
    if (typeof t === 'string') return
    switch (t.type) {
      case 'struct':
        for (const f of t.fields) {
          physicalName(f, mode)
          visit(f.type)
        }
        return
      case 'array': return visit(t.elementType)
      case 'map':
        visit(t.keyType)
        visit(t.valueType)
    }
  }
  visit(schema)
}

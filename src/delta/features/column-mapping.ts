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

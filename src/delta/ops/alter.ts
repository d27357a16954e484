/**
 * The table alterations, one file each under `alter/`, in one import: constraints, properties,
 * columns, features, and the table's name and description (delta-rs's `DeltaTable.alter`).
 */
export { addConstraints, dropConstraint, type AddConstraintOptions, type DropConstraintOptions } from './alter/constraints.js'
export { setTableProperties, SET_TABLE_PROPERTIES_OPTIONS, type SetTablePropertiesOptions } from './alter/set-properties.js'
export { addColumns, ADD_COLUMNS_OPTIONS, type AddColumnsOptions } from './alter/add-columns.js'
export { addFeature, ADD_FEATURE_OPTIONS, TABLE_FEATURES, type AddFeatureOptions } from './alter/add-feature.js'
export { setTableName, setTableDescription, TABLE_METADATA_OPTIONS, type TableMetadataOptions } from './alter/table-metadata.js'
export { setColumnMetadata, dropColumnNotNull, COLUMN_CHANGE_OPTIONS, type ColumnChangeOptions } from './alter/column-changes.js'

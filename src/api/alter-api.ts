import type { StructField } from '../delta/model/schema.js'
import type {
  AddColumnsOptions, AddConstraintOptions, AddFeatureOptions, ColumnChangeOptions, DropConstraintOptions,
  SetTablePropertiesOptions, TableMetadataOptions,
} from '../delta/ops/alter.js'

/**
 * Schema and property changes, as delta-rs's `DeltaTable.alter`: each commits one metadata (and,
 * where needed, protocol) change and moves the table object to the version it committed.
 */
export interface AlterApi {
  /** New nullable columns at the end (`ADD COLUMNS`); column mapping ids assigned on mapped tables. */
  addColumns(fields: StructField[], opts?: AddColumnsOptions): Promise<void>
  /** Set table properties (`SET TBLPROPERTIES`), raising the protocol a property needs. */
  setTableProperties(properties: Record<string, string>, opts?: SetTablePropertiesOptions): Promise<void>
  /** Add table features by name (`ADD FEATURE`), as delta-rs's `add_feature`. */
  addFeature(feature: string | string[], opts?: AddFeatureOptions): Promise<void>
  /** Add CHECK constraints (`{ name: 'expression' }`) that every existing row satisfies. */
  addConstraint(constraints: Record<string, string>, opts?: AddConstraintOptions): Promise<void>
  /** Drop a CHECK constraint by name. */
  dropConstraint(name: string, opts?: DropConstraintOptions): Promise<void>
  /** Set the table's name in its metadata. */
  setTableName(name: string, opts?: TableMetadataOptions): Promise<void>
  /** Set the table's description in its metadata. */
  setTableDescription(description: string, opts?: TableMetadataOptions): Promise<void>
  /** Set metadata (such as `comment`) on a top-level column; `delta.*` keys are refused. */
  setColumnMetadata(column: string, metadata: Record<string, string>, opts?: ColumnChangeOptions): Promise<void>
  /** Make a NOT NULL column nullable (`CHANGE COLUMN`). */
  dropColumnNotNull(column: string, opts?: ColumnChangeOptions): Promise<void>
}

/** One `AlterApi` call as data, as it crosses to a worker. */
export type AlterCall = { [K in keyof AlterApi]: { method: K; args: Parameters<AlterApi[K]> } }[keyof AlterApi]

/** Make the call on an `AlterApi`. */
export function callAlter(alter: AlterApi, call: AlterCall): Promise<void> {
  const method = alter[call.method] as (...args: unknown[]) => Promise<void>
  return method.apply(alter, call.args)
}

/** An `AlterApi` whose every call is handed to `run` as data (a worker client's). */
export function alterVia(run: (call: AlterCall) => Promise<void>): AlterApi {
  return {
    addColumns: (...args) => run({ method: 'addColumns', args }),
    setTableProperties: (...args) => run({ method: 'setTableProperties', args }),
    addFeature: (...args) => run({ method: 'addFeature', args }),
    addConstraint: (...args) => run({ method: 'addConstraint', args }),
    dropConstraint: (...args) => run({ method: 'dropConstraint', args }),
    setTableName: (...args) => run({ method: 'setTableName', args }),
    setTableDescription: (...args) => run({ method: 'setTableDescription', args }),
    setColumnMetadata: (...args) => run({ method: 'setColumnMetadata', args }),
    dropColumnNotNull: (...args) => run({ method: 'dropColumnNotNull', args }),
  }
}

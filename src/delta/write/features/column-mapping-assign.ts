import { Data, DataType, Field, List, Map_, RecordBatch, Schema, Struct, Table, makeData } from 'apache-arrow'
import { FIELD_ID_KEY, PARQUET_FIELD_ID_KEY, PHYSICAL_NAME_KEY, physicalName, type ColumnMappingMode } from '../../features/column-mapping.js'
import { DeltaError } from '../../engine/errors.js'
import { findField, type DeltaType, type StructField, type StructType } from '../../model/schema.js'
import { columnIndex } from './table-columns.js'

/** How new physical names are chosen: `col-<uuid>` (new tables, new columns) or the display name. */
export interface AssignColumnMappingOptions {
  /**
   * 'uuid' (default) for new columns; 'name' when enabling column mapping on an existing table,
   * whose data files already use the display names.
   */
  physicalNames?: 'uuid' | 'name'
}

function idOf(field: StructField): number | undefined {
  const raw = field.metadata[FIELD_ID_KEY]
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN
  return Number.isInteger(n) ? n : undefined
}

/** The highest column mapping id in a schema, nested fields included (0 when none). */
export function maxColumnIdOf(schema: StructType): number {
  let max = 0
  const visit = (t: DeltaType): void => {
    if (typeof t === 'string') return
    if (t.type === 'struct') for (const f of t.fields) {
      max = Math.max(max, idOf(f) ?? 0)
      visit(f.type)
    }
    else if (t.type === 'array') visit(t.elementType)
    else {
      visit(t.keyType)
      visit(t.valueType)
    }
  }
  visit(schema)
  return max
}

/**
 * Give every field of the schema, nested ones too (inside structs, arrays and maps), a column
 * mapping id (`delta.columnMapping.id`, counting up from the larger of `startId` and the ids
 * already there) and a physical name (`delta.columnMapping.physicalName`, `col-<uuid>`). Fields
 * that have them keep them, so the same call serves new tables and columns added later. Returns
 * the new schema and the value for the table property `delta.columnMapping.maxColumnId`.
 */
export function assignColumnMapping(schema: StructType, startId: number, opts: AssignColumnMappingOptions = {}): { schema: StructType; maxColumnId: number } {
  let next = Math.max(startId, maxColumnIdOf(schema))
  const assignType = (t: DeltaType): DeltaType => {
    if (typeof t === 'string') return t
    switch (t.type) {
      case 'struct': return { ...t, fields: t.fields.map(assignField) }
      case 'array': return { ...t, elementType: assignType(t.elementType) }
      case 'map': return { ...t, keyType: assignType(t.keyType), valueType: assignType(t.valueType) }
    }
  }
  const assignField = (f: StructField): StructField => {
    const metadata = { ...f.metadata }
    if (idOf(f) === undefined) metadata[FIELD_ID_KEY] = ++next
    if (typeof metadata[PHYSICAL_NAME_KEY] !== 'string' || metadata[PHYSICAL_NAME_KEY] === '') {
      metadata[PHYSICAL_NAME_KEY] = opts.physicalNames === 'name' ? f.name : `col-${globalThis.crypto.randomUUID()}`
    }
    return { ...f, type: assignType(f.type), metadata }
  }
  return { schema: { ...schema, fields: schema.fields.map(assignField) }, maxColumnId: next }
}

/** An Arrow field renamed to the physical name, with its Parquet field id, its type renamed inside. */
function physicalField(arrow: Field, field: StructField, mode: ColumnMappingMode): Field {
  const metadata = new Map(arrow.metadata)
  const id = idOf(field)
  if (id !== undefined) metadata.set(PARQUET_FIELD_ID_KEY, String(id))
  return new Field(physicalName(field, mode), physicalType(arrow.type, field.type, mode), arrow.nullable, metadata)
}

function physicalType(type: DataType, delta: DeltaType, mode: ColumnMappingMode): DataType {
  if (typeof delta === 'string') return type
  if (delta.type === 'struct' && DataType.isStruct(type)) {
    return new Struct(type.children.map((c) => {
      const f = findField(delta, c.name)
      return f ? physicalField(c, f, mode) : c
    }))
  }
  if (delta.type === 'array' && DataType.isList(type)) {
    const element = type.children[0]!
    return new List(element.clone({ type: physicalType(element.type, delta.elementType, mode) }))
  }
  if (delta.type === 'map' && DataType.isMap(type)) {
    const entries = type.children[0]!
    const [key, value] = entries.type.children as [Field, Field]
    const inner = new Struct([
      key.clone({ type: physicalType(key.type, delta.keyType, mode) }),
      value.clone({ type: physicalType(value.type, delta.valueType, mode) }),
    ])
    return new Map_(entries.clone({ type: inner }) as Field<Struct<{ key: DataType; value: DataType }>>, type.keysSorted)
  }
  return type
}

/** The same buffers under the renamed type, children rebuilt the same way. */
function retype(data: Data, type: DataType): Data {
  if (data.type === type || data.children.length === 0) return data.type === type ? data : data.clone(type)
  const children = data.children.map((c, i) => retype(c, type.children[i]!.type))
  return new Data(type, data.offset, data.length, data.nullCount, data, children, data.dictionary)
}

/**
 * The table as data files store it under column mapping: columns (nested ones too) renamed to
 * their physical names and each field carrying its id as Arrow metadata `PARQUET:field_id`,
 * which the Parquet writer turns into the schema's field_id, as the protocol requires. Columns
 * come out in schema order; `schema` is the schema of the data columns (partition columns
 * excluded). With mode 'none' the table is returned as it is.
 */
export function toPhysicalTable(table: Table, schema: StructType, mode: ColumnMappingMode = 'name'): Table {
  if (mode === 'none') return table
  const indices = schema.fields.map((f) => {
    const i = columnIndex(table, f.name)
    if (i < 0) throw new DeltaError('SchemaMismatch', `the data has no column '${f.name}' to write; its columns are ${table.schema.fields.map((x) => x.name).join(', ')}`)
    return i
  })
  const extra = table.schema.fields.filter((_, i) => !indices.includes(i))
  if (extra.length > 0) {
    throw new DeltaError('SchemaMismatch', `the data has column${extra.length > 1 ? 's' : ''} ${extra.map((f) => `'${f.name}'`).join(', ')} that the table schema lacks`)
  }
  const fields = schema.fields.map((f, k) => physicalField(table.schema.fields[indices[k]!]!, f, mode))
  const arrowSchema = new Schema(fields, table.schema.metadata)
  const batches = table.batches.map((b) => {
    const children = fields.map((f, k) => retype(b.data.children[indices[k]!]!, f.type))
    return new RecordBatch(arrowSchema, makeData({ type: new Struct(fields), length: b.numRows, nullCount: 0, children }))
  })
  return new Table(arrowSchema, batches)
}

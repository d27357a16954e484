import { Data, DataType, RecordBatch, Struct, Table, Type, makeData, type Dictionary, type Field, type Schema } from 'apache-arrow'
import { DeltaError } from '../engine/errors.js'
import { FIELD_ID_KEY, PARQUET_FIELD_ID_KEY, physicalName, type ColumnMappingMode } from '../features/column-mapping.js'
import { findField, type DeltaType, type StructField, type StructType } from '../model/schema.js'
import { castPrimitive } from './cast.js'
import { castError } from './cast-util.js'
import { nullData } from './constant.js'
import { takeData } from './take.js'
import { describeDeltaType, toArrowSchema } from './types.js'

/** Options for {@link conformTable}. */
export interface ConformOptions {
  /** The table's `delta.columnMapping.mode`. */
  columnMapping: ColumnMappingMode
}

/**
 * The top-level column names to ask the Parquet decoder for: physical names under column
 * mapping, logical names otherwise. `logicalColumns` restricts and orders them; an unknown
 * name is `InvalidArgument`.
 */
export function physicalColumns(target: StructType, mode: ColumnMappingMode, logicalColumns?: string[]): string[] {
  const fields = logicalColumns === undefined ? target.fields : logicalColumns.map((name) => {
    const f = findField(target, name)
    if (!f) throw new DeltaError('InvalidArgument', `column '${name}' is not in the schema; choose from: ${target.fields.map((x) => x.name).join(', ')}`)
    return f
  })
  return fields.map((f) => physicalName(f, mode))
}

/**
 * Turn a table as the Parquet decoder returned it (physical names, file types) into exactly
 * the logical `target` schema: columns in target order, logical names, canonical Arrow types
 * (`toArrowType`). Columns the file lacks become all-null (schema evolution); conversions are
 * exact (type widening, Parquet's storage of small ints, timestamp units, decimal rescale).
 * A file type that cannot become the Delta type is `InvalidData` naming the column.
 */
export function conformTable(table: Table, target: StructType, opts: ConformOptions): Table {
  const schema = toArrowSchema(target)
  return new Table(schema, table.batches.map((b) => conformBatch(b, target, opts, schema)))
}

/** {@link conformTable} for one record batch; `schema` is `toArrowSchema(target)`, if at hand. */
export function conformBatch(batch: RecordBatch, target: StructType, opts: ConformOptions, schema: Schema = toArrowSchema(target)): RecordBatch {
  const n = batch.numRows
  const children = conformChildren(batch.schema.fields, batch.data.children, target.fields, schema.fields, n, opts.columnMapping, '')
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: n, nullCount: 0, children }))
}

function conformChildren(
  fileFields: readonly Field[], fileData: readonly Data[], targets: StructField[], arrowFields: Field[],
  length: number, mode: ColumnMappingMode, parent: string,
): Data[] {
  return targets.map((f, k) => {
    const type = arrowFields[k]!.type
    const i = matchField(fileFields, f, mode)
    const data = i < 0 ? undefined : fileData[i]
    const path = parent ? `${parent}.${f.name}` : f.name
    return data ? conformData(data, f.type, type, path, mode) : nullData(type, length)
  })
}

/** Index of the file field that holds `target` under the mapping mode, or -1. */
function matchField(fields: readonly Field[], target: StructField, mode: ColumnMappingMode): number {
  if (mode === 'id') {
    const id = target.metadata[FIELD_ID_KEY]
    const hasIds = fields.some((f) => f.metadata.has(PARQUET_FIELD_ID_KEY))
    // Files written before ids (or by writers that drop them) fall back to physical names.
    if (hasIds && id !== undefined && id !== null) {
      return fields.findIndex((f) => f.metadata.get(PARQUET_FIELD_ID_KEY) === String(id))
    }
  }
  const name = physicalName(target, mode)
  const exact = fields.findIndex((f) => f.name === name)
  if (exact >= 0) return exact
  const lower = name.toLowerCase()
  return fields.findIndex((f) => f.name.toLowerCase() === lower)
}

/**
 * One column (at any depth) converted to the Delta type `target` with canonical Arrow `type`.
 * Keeps the source's validity bitmap and slice offset, so nothing is copied that need not be.
 */
export function conformData(data: Data, target: DeltaType, type: DataType, path: string, mode: ColumnMappingMode): Data {
  if (DataType.isDictionary(data.type)) return conformData(decodeDictionary(data, path), target, type, path, mode)
  // Empty Data made by Arrow JS defaults (an empty RecordBatch) may lack children and offsets.
  if (DataType.isNull(data.type) || data.length === 0) return nullData(type, data.length)
  if (typeof target === 'string') return castPrimitive(data, target, type, path)
  const src = data.type
  switch (target.type) {
    case 'struct': {
      if (!DataType.isStruct(src)) break
      const children = conformChildren(src.children, data.children, target.fields, type.children, data.length, mode, path)
      return new Data(type, data.offset, data.length, data.nullCount, [undefined, undefined, data.nullBitmap], children)
    }
    case 'array': {
      const offsets = listOffsets(data, path)
      if (!offsets) break
      const child = conformData(data.children[0]!, target.elementType, type.children[0]!.type, `${path}[]`, mode)
      return new Data(type, data.offset, data.length, data.nullCount, [offsets, undefined, data.nullBitmap], [child])
    }
    case 'map':
      return conformMap(data, target.keyType, target.valueType, type, path, mode) ?? failShape(data, target, path)
  }
  return failShape(data, target, path)
}

function failShape(data: Data, target: DeltaType, path: string): never {
  throw castError(path, data.type, describeDeltaType(target))
}

function conformMap(data: Data, keyType: DeltaType, valueType: DeltaType, type: DataType, path: string, mode: ColumnMappingMode): Data | undefined {
  // Legacy writers may store a map as a list of key/value structs; both carry one entries child.
  const isMapLike = DataType.isMap(data.type) || DataType.isList(data.type) || DataType.isLargeList(data.type)
  const entries = data.children[0]
  if (!isMapLike || !entries || !DataType.isStruct(entries.type) || entries.children.length !== 2) return undefined
  const entriesType = type.children[0]!.type
  const [keyField, valueField] = entriesType.children as [Field, Field]
  const key = conformData(entries.children[0]!, keyType, keyField.type, `${path}.key`, mode)
  const value = conformData(entries.children[1]!, valueType, valueField.type, `${path}.value`, mode)
  const newEntries = new Data(entriesType, entries.offset, entries.length, entries.nullCount, [undefined, undefined, entries.nullBitmap], [key, value])
  const offsets = listOffsets(data, path)!
  return new Data(type, data.offset, data.length, data.nullCount, [offsets, undefined, data.nullBitmap], [newEntries])
}

/** 32-bit offsets of a List, LargeList, FixedSizeList or Map, or undefined for other types. */
function listOffsets(data: Data, path: string): Int32Array | undefined {
  switch (data.type.typeId) {
    case Type.List: case Type.Map:
      return data.valueOffsets as Int32Array
    case Type.LargeList: {
      const large = data.valueOffsets as BigInt64Array
      const out = new Int32Array(large.length)
      for (let i = 0; i < large.length; i++) {
        if (large[i]! > 0x7fffffffn) throw new DeltaError('InvalidData', `column '${path}' holds more than 2^31 list elements in one batch; read smaller row groups`)
        out[i] = Number(large[i]!)
      }
      return out
    }
    case Type.FixedSizeList: {
      const size = data.stride
      const out = new Int32Array(data.length + 1)
      for (let i = 1; i <= data.length; i++) out[i] = i * size
      return out
    }
  }
  return undefined
}

/** The values of a dictionary-encoded column, materialised: gather the dictionary by index. */
function decodeDictionary(data: Data, path: string): Data {
  const chunks = data.dictionary?.data ?? []
  const dict = chunks[0]
  if (chunks.length > 1) {
    throw new DeltaError('UnsupportedFeature', `column '${path}' has a dictionary in ${chunks.length} chunks (dictionary deltas); decode it without dictionary encoding`)
  }
  const indices = data.values as ArrayLike<number>
  const rows = new Int32Array(data.length)
  const bits = data.nullCount > 0 ? (data.nullBitmap as Uint8Array) : undefined
  for (let i = 0; i < rows.length; i++) {
    const at = data.offset + i
    rows[i] = bits && ((bits[at >> 3]! >> (at & 7)) & 1) === 0 ? -1 : indices[i]!
  }
  if (!dict) return nullData((data.type as Dictionary).dictionary, data.length)
  return takeData(dict, rows)
}

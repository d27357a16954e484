import { Data, type DataType, type Field } from 'apache-arrow'
import { newBitmap, setBit } from '../arrow/bitmap.js'
import { describeDeltaType } from '../arrow/types.js'
import { DeltaError } from '../engine/errors.js'
import { vectorFromScalars } from '../arrow/build-vector.js'
import type { Scalar } from '../model/scalar.js'
import type { DeltaType, StructField } from '../model/schema.js'
import { isPlainObject, valueOf } from './infer-type.js'
import { toScalar } from './infer-values.js'

/** Stands for a value under a null parent: null, but not a NOT NULL violation. */
const UNDER_NULL = Symbol('under a null parent')

/** Values of one column (at any depth) with the input row each came from. */
export interface ColumnValues {
  values: readonly unknown[]
  /** Input row of `values[i]`; identity at the top level. */
  rowOf: (i: number) => number
}

function isNull(v: unknown): boolean {
  return v === null || v === undefined || v === UNDER_NULL
}

function checkNullable(col: ColumnValues, nullable: boolean, path: string): void {
  if (nullable) return
  const i = col.values.findIndex((v) => v === null || v === undefined)
  if (i >= 0) {
    throw new DeltaError('ConstraintViolation', `column '${path}' is NOT NULL, but row ${col.rowOf(i)} has no value for it; fill it in or make the column nullable`)
  }
}

/** Validity bitmap (bit set = present) and null count, or no bitmap when nothing is null. */
function validity(values: readonly unknown[]): { bitmap: Uint8Array | undefined; nullCount: number } {
  const bitmap = newBitmap(values.length)
  let nullCount = 0
  values.forEach((v, i) => (isNull(v) ? nullCount++ : setBit(bitmap, i)))
  return { bitmap: nullCount > 0 ? bitmap : undefined, nullCount }
}

function expected(path: string, row: number, type: DeltaType, what: string): DeltaError {
  return new DeltaError('InvalidArgument', `column '${path}', row ${row}: expected ${what} for ${describeDeltaType(type)}`)
}

/**
 * An Arrow column of Delta type `type` (canonical Arrow type `arrowType`, from `toArrowType`)
 * from plain JavaScript values (accepted forms: `toScalar`; structs from plain objects, arrays
 * from arrays, maps from Maps or plain objects). null and undefined are null; a null where
 * `nullable` is false is `ConstraintViolation` naming the column and row.
 */
export function buildColumn(col: ColumnValues, type: DeltaType, arrowType: DataType, nullable: boolean, path: string): Data {
  checkNullable(col, nullable, path)
  if (typeof type === 'string') {
    const scalars = col.values.map((v, i): Scalar | null => (isNull(v) ? null : toScalar(v, type, { path, row: col.rowOf(i) })))
    return vectorFromScalars(scalars, type).data[0]!.clone(arrowType)
  }
  switch (type.type) {
    case 'struct': return buildStruct(col, type.fields, arrowType, path)
    case 'array': return buildList(col, type.elementType, type.containsNull, arrowType, path)
    case 'map': return buildMap(col, type.keyType, type.valueType, type.valueContainsNull, arrowType, path)
  }
}

function buildStruct(col: ColumnValues, fields: readonly StructField[], arrowType: DataType, path: string): Data {
  col.values.forEach((v, i) => {
    if (!isNull(v) && !isPlainObject(v)) throw expected(path, col.rowOf(i), { type: 'struct', fields: [...fields] }, 'a plain object')
  })
  const { bitmap, nullCount } = validity(col.values)
  const children = fields.map((f, k) => {
    const values = col.values.map((v) => (isNull(v) ? UNDER_NULL : valueOf(v as Record<string, unknown>, f.name)))
    const arrowField = arrowType.children[k] as Field
    return buildColumn({ values, rowOf: col.rowOf }, f.type, arrowField.type, f.nullable, `${path}.${f.name}`)
  })
  return new Data(arrowType, 0, col.values.length, nullCount, [undefined, undefined, bitmap], children)
}

/** Offsets over the items of each row's collection, and the items with their input rows. */
function flatten(col: ColumnValues, itemsOf: (v: unknown, row: number) => unknown[]): { offsets: Int32Array; items: ColumnValues } {
  const offsets = new Int32Array(col.values.length + 1)
  const items: unknown[] = []
  const rows: number[] = []
  col.values.forEach((v, i) => {
    if (!isNull(v)) {
      const row = col.rowOf(i)
      for (const item of itemsOf(v, row)) {
        items.push(item)
        rows.push(row)
      }
    }
    offsets[i + 1] = items.length
  })
  return { offsets, items: { values: items, rowOf: (i) => rows[i]! } }
}

function buildList(col: ColumnValues, elementType: DeltaType, containsNull: boolean, arrowType: DataType, path: string): Data {
  const { offsets, items } = flatten(col, (v, row) => {
    if (!Array.isArray(v)) throw expected(path, row, { type: 'array', elementType, containsNull }, 'an array')
    return v as unknown[]
  })
  const { bitmap, nullCount } = validity(col.values)
  const element = arrowType.children[0] as Field
  const child = buildColumn(items, elementType, element.type, containsNull, `${path}[]`)
  return new Data(arrowType, 0, col.values.length, nullCount, [offsets, undefined, bitmap], [child])
}

function buildMap(col: ColumnValues, keyType: DeltaType, valueType: DeltaType, valueContainsNull: boolean, arrowType: DataType, path: string): Data {
  const { offsets, items } = flatten(col, (v, row) => {
    if (v instanceof Map) return [...v.entries()]
    if (isPlainObject(v)) return Object.entries(v)
    throw expected(path, row, { type: 'map', keyType, valueType, valueContainsNull }, 'a Map or a plain object')
  })
  const entries = items.values as [unknown, unknown][]
  const entriesType = (arrowType.children[0] as Field).type
  const [keyField, valueField] = entriesType.children as [Field, Field]
  const keys = buildColumn({ values: entries.map((e) => e[0]), rowOf: items.rowOf }, keyType, keyField.type, false, `${path}.key`)
  const values = buildColumn({ values: entries.map((e) => e[1]), rowOf: items.rowOf }, valueType, valueField.type, valueContainsNull, `${path}.value`)
  const entriesData = new Data(entriesType, 0, entries.length, 0, [undefined, undefined, undefined], [keys, values])
  const { bitmap, nullCount } = validity(col.values)
  return new Data(arrowType, 0, col.values.length, nullCount, [offsets, undefined, bitmap], [entriesData])
}

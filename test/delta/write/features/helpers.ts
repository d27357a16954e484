import { Field, RecordBatch, Schema, Struct, Table, makeData, type Vector } from 'apache-arrow'
import { toArrowField } from '../../../../src/delta/arrow/types.js'
import { vectorFromScalars } from '../../../../src/delta/arrow/build-vector.js'
import type { Scalar } from '../../../../src/delta/model/scalar.js'
import type { DeltaType, StructField, StructType } from '../../../../src/delta/model/schema.js'

/** A nullable field without metadata. */
export function field(name: string, type: DeltaType, metadata: Record<string, unknown> = {}, nullable = true): StructField {
  return { name, type, nullable, metadata }
}

/** A struct schema of fields. */
export function struct(...fields: StructField[]): StructType {
  return { type: 'struct', fields }
}

/** A one-batch table of primitive columns from values in their Delta JS form. */
export function tableOf(columns: Record<string, { type: DeltaType; values: Array<Scalar | null> }>): Table {
  const vectors: Record<string, Vector> = {}
  for (const [name, c] of Object.entries(columns)) vectors[name] = vectorFromScalars(c.values, c.type)
  return new Table(vectors)
}

/** A one-batch table with the given Arrow fields and column data (for nested columns). */
export function tableFromData(fields: Field[], children: ReturnType<typeof makeData>[], length: number): Table {
  const schema = new Schema(fields)
  return new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fields), length, nullCount: 0, children }))])
}

/** A struct column's Data from child Data, with a validity per row (true = present). */
export function structData(field: StructField, children: ReturnType<typeof makeData>[], valid: boolean[]): ReturnType<typeof makeData> {
  const type = toArrowField(field).type as Struct
  const nullBitmap = new Uint8Array(Math.ceil(valid.length / 8) + 8)
  valid.forEach((v, i) => { if (v) nullBitmap[i >> 3]! |= 1 << (i & 7) })
  return makeData({ type, length: valid.length, nullCount: valid.filter((v) => !v).length, nullBitmap, children })
}

export { caught } from '../../../helpers/caught.js'

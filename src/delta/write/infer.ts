import { RecordBatch, Schema, Struct, Table, makeData } from 'apache-arrow'
import { toArrowField } from '../arrow/types.js'
import { DeltaError } from '../engine/errors.js'
import type { StructField, StructType } from '../model/schema.js'
import { buildColumn } from './infer-build.js'
import { extendStruct, isPlainObject, newSurvey, surveyOfField, surveyValue, valueOf } from './infer-type.js'

/**
 * The Delta schema of plain JavaScript rows: with `schema`, its columns that some row has (in
 * schema order; a schema column no row mentions is left out, for the table to fill), followed by
 * keys the schema lacks, typed by inference (for schema evolution to accept or refuse); without,
 * every key inferred (see `surveyedType`: number -> double, bigint -> long, Date -> timestamp...),
 * columns in order of first appearance. A row that is not a plain object is `InvalidArgument`.
 */
export function inferSchema(rows: readonly Record<string, unknown>[], schema?: StructType): StructType {
  const survey = newSurvey('')
  rows.forEach((row, i) => {
    if (!isPlainObject(row)) throw new DeltaError('InvalidArgument', `row ${i} is not a plain object; pass rows as { column: value } objects`)
    surveyValue(survey, row, i)
  })
  if (!schema) {
    if (rows.length === 0) throw new DeltaError('InvalidArgument', 'there are no rows to infer a schema from; pass a schema, or an Arrow table')
    return extendStruct({ type: 'struct', fields: [] }, survey, '')
  }
  if (rows.length === 0) return schema
  const mentioned = schema.fields.filter((f) => surveyOfField(survey, f.name) !== undefined)
  return extendStruct({ ...schema, fields: mentioned }, survey, '')
}

/**
 * An Arrow table (one record batch) from plain JavaScript objects, one per row. With `schema`,
 * the columns get exactly its types (canonical Arrow types of `toArrowType`) and values must be
 * in a form `toScalar` accepts for the type (`'12.50'` or `12.5` or `1250n` unscaled for a
 * decimal(4,2); a Date, ISO string or bigint microseconds for a timestamp...); keys the schema
 * lacks are added with inferred types. Without, types are inferred strictly (see
 * `inferSchema`). Missing keys are null; a null in a NOT NULL column is `ConstraintViolation`.
 */
export function inferTable(rows: readonly Record<string, unknown>[], schema?: StructType): Table {
  const target = inferSchema(rows, schema)
  const arrowSchema = new Schema(target.fields.map(toArrowField))
  const children = target.fields.map((f: StructField, k) => {
    const values = rows.map((r) => valueOf(r, f.name))
    return buildColumn({ values, rowOf: (i) => i }, f.type, arrowSchema.fields[k]!.type, f.nullable, f.name)
  })
  const data = makeData({ type: new Struct(arrowSchema.fields), length: rows.length, nullCount: 0, children })
  return new Table(arrowSchema, [new RecordBatch(arrowSchema, data)])
}

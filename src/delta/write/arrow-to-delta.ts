import { DataType, Precision, Type, type Dictionary, type Field, type Schema } from 'apache-arrow'
import { DeltaError } from '../engine/errors.js'
import type { DeltaType, PrimitiveType, StructField, StructType } from '../model/schema.js'

/** Largest decimal precision Delta allows. */
const MAX_DECIMAL_PRECISION = 38

/**
 * The Delta schema of an Arrow schema: the inverse of `toArrowSchema`, so that data from any
 * Arrow producer (pyarrow, DuckDB, arrow-js builders, our own scans) can create or append to a
 * table. Field names and nullability carry over; field metadata does not (Arrow metadata such
 * as `PARQUET:field_id` means nothing to Delta). An Arrow type Delta cannot store is
 * `InvalidArgument` naming the column, with what to do instead.
 */
export function arrowSchemaToDelta(schema: Schema): StructType {
  return { type: 'struct', fields: schema.fields.map((f) => arrowFieldToDelta(f, f.name)) }
}

/** One Arrow field as a Delta struct field; `where` is its path, for errors. */
export function arrowFieldToDelta(field: Field, where: string): StructField {
  return { name: field.name, type: arrowTypeToDelta(field.type, where), nullable: field.nullable, metadata: {} }
}

/**
 * The Delta type of an Arrow type. Widths and units collapse to Delta's types (any timestamp
 * unit is microseconds in Delta; a time zone makes it `timestamp`, none `timestamp_ntz`);
 * unsigned integers map to the next wider signed type so every value fits (UInt8 -> short,
 * UInt16 -> integer, UInt32 -> long). UInt64 is refused: delta-kernel-rs maps it to long, which
 * silently wraps values above 2^63 - 1. Dictionaries are their value type. `where` names the
 * column in errors.
 */
export function arrowTypeToDelta(type: DataType, where: string): DeltaType {
  if (DataType.isInt(type)) return integerToDelta(type.bitWidth, type.isSigned, where)
  if (DataType.isFloat(type)) return type.precision === Precision.DOUBLE ? 'double' : 'float'
  if (DataType.isTimestamp(type)) return type.timezone ? 'timestamp' : 'timestamp_ntz'
  if (DataType.isDecimal(type)) return decimalToDelta(type.precision, type.scale, where)
  switch (type.typeId) {
    case Type.Bool: return 'boolean'
    case Type.Utf8: case Type.LargeUtf8: case Type.Utf8View: return 'string'
    case Type.Binary: case Type.LargeBinary: case Type.BinaryView: case Type.FixedSizeBinary: return 'binary'
    case Type.Date: return 'date'
    case Type.Dictionary: return arrowTypeToDelta((type as Dictionary).dictionary, where)
    case Type.Struct:
      return { type: 'struct', fields: type.children.map((f: Field) => arrowFieldToDelta(f, `${where}.${f.name}`)) }
    case Type.List: case Type.LargeList: case Type.FixedSizeList: {
      const element = type.children[0] as Field
      return { type: 'array', elementType: arrowTypeToDelta(element.type, `${where}[]`), containsNull: element.nullable }
    }
    case Type.Map: return mapToDelta(type, where)
    case Type.Null:
      throw new DeltaError('InvalidArgument', `column '${where}' has Arrow type Null (no value in any row), so its Delta type is unknown; give the column a type (build it with a typed vector, or pass a schema)`)
  }
  throw unsupported(type, where)
}

function integerToDelta(bitWidth: number, isSigned: boolean, where: string): PrimitiveType {
  if (isSigned) return ({ 8: 'byte', 16: 'short', 32: 'integer', 64: 'long' } as const)[bitWidth as 8 | 16 | 32 | 64]
  if (bitWidth === 64) {
    throw new DeltaError('InvalidArgument', `column '${where}' is UInt64, which Delta cannot store (its widest integer is a signed 64-bit long); cast it to Int64 if every value is below 2^63, or to Decimal(20, 0)`)
  }
  return ({ 8: 'short', 16: 'integer', 32: 'long' } as const)[bitWidth as 8 | 16 | 32]
}

function decimalToDelta(precision: number, scale: number, where: string): PrimitiveType {
  if (precision > MAX_DECIMAL_PRECISION || scale < 0 || scale > precision) {
    throw new DeltaError('InvalidArgument', `column '${where}' is Decimal(${precision}, ${scale}); Delta decimals have a precision of at most ${MAX_DECIMAL_PRECISION} and a scale between 0 and the precision: cast the column to a decimal that fits, or to string`)
  }
  return `decimal(${precision},${scale})`
}

function mapToDelta(type: DataType, where: string): DeltaType {
  const entries = (type.children[0] as Field).type
  const [key, value] = entries.children as [Field, Field]
  return {
    type: 'map',
    keyType: arrowTypeToDelta(key.type, `${where}.key`),
    valueType: arrowTypeToDelta(value.type, `${where}.value`),
    valueContainsNull: value.nullable,
  }
}

const ADVICE: Partial<Record<Type, string>> = {
  [Type.Time]: 'cast it to a string, or to a long count of microseconds since midnight',
  [Type.Duration]: 'cast it to a long count of its unit',
  [Type.Interval]: 'cast it to a string',
  [Type.Union]: 'split it into one column per member type',
}

function unsupported(type: DataType, where: string): DeltaError {
  const advice = ADVICE[type.typeId] ?? 'cast it to a Delta type first'
  return new DeltaError('InvalidArgument', `column '${where}' has Arrow type ${String(type)}, which Delta cannot store; ${advice}`)
}

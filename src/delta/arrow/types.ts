import {
  Binary, Bool, DataType, DateDay, Decimal, Field, Float32, Float64, Int16, Int32, Int64, Int8, List,
  Map_, Schema, Struct, TimestampMicrosecond, Utf8,
} from 'apache-arrow'
import { DeltaError } from '../engine/errors.js'
import { decimalParams, type DeltaType, type StructField, type StructType } from '../model/schema.js'

/** The zone every Delta `timestamp` carries in Arrow: values are UTC instants. */
export const UTC = 'UTC'

/**
 * The canonical Arrow type of a Delta type, used by every scan, write and conversion so that
 * tables from different files and versions concatenate: `long` is Int64, `date` DateDay,
 * `timestamp` Timestamp(us, 'UTC'), `timestamp_ntz` Timestamp(us, no zone), `decimal(p,s)`
 * Decimal128, arrays List with an `element` field, maps Map with `entries{key, value}`.
 */
export function toArrowType(t: DeltaType): DataType {
  if (typeof t !== 'string') {
    switch (t.type) {
      case 'struct':
        return new Struct(t.fields.map(toArrowField))
      case 'array':
        return new List(new Field('element', toArrowType(t.elementType), t.containsNull))
      case 'map':
        return new Map_(new Field('entries', new Struct<{ key: DataType; value: DataType }>([
          new Field('key', toArrowType(t.keyType), false),
          new Field('value', toArrowType(t.valueType), t.valueContainsNull),
        ]), false), false)
    }
  }
  return toArrowPrimitive(t)
}

function toArrowPrimitive(t: string): DataType {
  switch (t) {
    case 'byte': return new Int8()
    case 'short': return new Int16()
    case 'integer': return new Int32()
    case 'long': return new Int64()
    case 'float': return new Float32()
    case 'double': return new Float64()
    case 'boolean': return new Bool()
    case 'string': return new Utf8()
    case 'binary': return new Binary()
    case 'date': return new DateDay()
    case 'timestamp': return new TimestampMicrosecond(UTC)
    case 'timestamp_ntz': return new TimestampMicrosecond(null)
  }
  const d = decimalParams(t as DeltaType)
  if (d) return new Decimal(d.scale, d.precision, 128)
  throw new DeltaError('UnsupportedFeature', `data type '${t}' has no Arrow mapping; upgrade deltalake or drop the column`)
}

/** The Arrow field of one Delta struct field: logical name, canonical type, schema nullability. */
export function toArrowField(f: StructField): Field {
  return new Field(f.name, toArrowType(f.type), f.nullable)
}

/** The Arrow schema of a Delta schema, fields in schema order with logical names. */
export function toArrowSchema(schema: StructType): Schema {
  return new Schema(schema.fields.map(toArrowField))
}

/** A Delta type as text for error messages (`long`, `struct<a,b>`, `array<int>`). */
export function describeDeltaType(t: DeltaType): string {
  if (typeof t === 'string') return t
  switch (t.type) {
    case 'struct': return `struct<${t.fields.map((f) => f.name).join(',')}>`
    case 'array': return `array<${describeDeltaType(t.elementType)}>`
    case 'map': return `map<${describeDeltaType(t.keyType)},${describeDeltaType(t.valueType)}>`
  }
}

import { DeltaError } from '../engine/errors.js'

/**
 * Delta data types, in the protocol's own JSON shape: primitives are strings (`"long"`,
 * `"decimal(10,2)"`), complex types are objects. Keeping the JSON shape means the schema string
 * of a `metaData` action parses straight into these types and writes back unchanged.
 */
export type PrimitiveType =
  | 'string'
  | 'long'
  | 'integer'
  | 'short'
  | 'byte'
  | 'float'
  | 'double'
  | 'boolean'
  | 'binary'
  | 'date'
  | 'timestamp'
  | 'timestamp_ntz'
  | `decimal(${number},${number})`

/** A struct (also the shape of a whole table schema). */
export interface StructType {
  type: 'struct'
  fields: StructField[]
}

/** One named field of a struct; `metadata` holds column mapping ids, generation, identity... */
export interface StructField {
  name: string
  type: DeltaType
  nullable: boolean
  metadata: Record<string, unknown>
}

/** A list of one element type. */
export interface ArrayType {
  type: 'array'
  elementType: DeltaType
  containsNull: boolean
}

/** A map of key type to value type. */
export interface MapType {
  type: 'map'
  keyType: DeltaType
  valueType: DeltaType
  valueContainsNull: boolean
}

/** Any Delta data type. */
export type DeltaType = PrimitiveType | StructType | ArrayType | MapType

const PRIMITIVES = new Set([
  'string', 'long', 'integer', 'short', 'byte', 'float', 'double', 'boolean', 'binary', 'date',
  'timestamp', 'timestamp_ntz',
])
const DECIMAL = /^decimal\(\s*(\d+)\s*,\s*(\d+)\s*\)$/

/** Precision and scale of a decimal type, or undefined for any other type. */
export function decimalParams(t: DeltaType): { precision: number; scale: number } | undefined {
  if (typeof t !== 'string') return undefined
  const m = DECIMAL.exec(t)
  return m ? { precision: Number(m[1]), scale: Number(m[2]) } : undefined
}

/** Parse the `schemaString` of a metaData action. Unknown types are `UnsupportedFeature`. */
export function parseSchema(schemaString: string): StructType {
  let json: unknown
  try {
    json = JSON.parse(schemaString)
  } catch (e) {
    throw new DeltaError('InvalidLog', `the table schema is not valid JSON: ${String(e)}`, { cause: e })
  }
  const t = parseType(json, 'schema')
  if (typeof t === 'string' || t.type !== 'struct') {
    throw new DeltaError('InvalidLog', 'the table schema must be a struct')
  }
  return t
}

function parseType(json: unknown, where: string): DeltaType {
  if (typeof json === 'string') {
    if (PRIMITIVES.has(json)) return json as PrimitiveType
    const d = DECIMAL.exec(json)
    if (d) {
      const precision = Number(d[1])
      const scale = Number(d[2])
      if (precision < 1 || precision > 38 || scale > precision) {
        throw new DeltaError('InvalidLog', `invalid decimal type ${json} at ${where}`)
      }
      return `decimal(${precision},${scale})`
    }
    throw new DeltaError('UnsupportedFeature', `data type '${json}' (at ${where}) is not supported`)
  }
  if (!json || typeof json !== 'object') throw new DeltaError('InvalidLog', `invalid type at ${where}`)
  const o = json as Record<string, unknown>
  switch (o.type) {
    case 'struct': {
      if (!Array.isArray(o.fields)) throw new DeltaError('InvalidLog', `struct without fields at ${where}`)
      return { type: 'struct', fields: o.fields.map((f) => parseField(f, where)) }
    }
    case 'array':
      return {
        type: 'array',
        elementType: parseType(o.elementType, `${where}[]`),
        containsNull: o.containsNull !== false,
      }
    case 'map':
      return {
        type: 'map',
        keyType: parseType(o.keyType, `${where}.key`),
        valueType: parseType(o.valueType, `${where}.value`),
        valueContainsNull: o.valueContainsNull !== false,
      }
    default:
      throw new DeltaError('UnsupportedFeature', `data type '${JSON.stringify(o.type)}' (at ${where}) is not supported`)
  }
}

function parseField(json: unknown, where: string): StructField {
  const o = (json ?? {}) as Record<string, unknown>
  if (typeof o.name !== 'string') throw new DeltaError('InvalidLog', `struct field without a name at ${where}`)
  const path = where === 'schema' ? o.name : `${where}.${o.name}`
  return {
    name: o.name,
    type: parseType(o.type, path),
    nullable: o.nullable !== false,
    metadata: o.metadata && typeof o.metadata === 'object' ? (o.metadata as Record<string, unknown>) : {},
  }
}

/** The schema as the protocol's JSON string, for a metaData action. */
export function formatSchema(schema: StructType): string {
  return JSON.stringify(schema)
}

/** The field of a struct by name (exact, then case-insensitive as Spark resolves columns). */
export function findField(struct: StructType, name: string): StructField | undefined {
  return struct.fields.find((f) => f.name === name) ??
    struct.fields.find((f) => f.name.toLowerCase() === name.toLowerCase())
}

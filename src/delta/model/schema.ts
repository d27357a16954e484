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

/**
 * How deeply types may nest (structs, arrays and maps, the table's own struct counting one): far
 * beyond any real schema, and far below what the recursive code over schemas (parsing, Arrow
 * conversion, stats) can follow without running out of stack.
 */
export const MAX_SCHEMA_DEPTH = 128

/**
 * Parse the `schemaString` of a metaData action, checked as the protocol asks: valid JSON, a
 * struct at the top, every field named, column names unique regardless of case at each level,
 * nested at most {@link MAX_SCHEMA_DEPTH} levels. Unknown types are `UnsupportedFeature`; any
 * other fault is `InvalidLog`.
 */
export function parseSchema(schemaString: string): StructType {
  let json: unknown
  try {
    json = JSON.parse(schemaString)
  } catch (e) {
    throw new DeltaError('InvalidLog', `the table schema is not valid JSON: ${String(e)}`, { cause: e })
  }
  const t = parseType(json, 'schema', 1)
  if (typeof t === 'string' || t.type !== 'struct') {
    throw new DeltaError('InvalidLog', 'the table schema must be a struct')
  }
  return t
}

function invalidSchema(why: string): DeltaError {
  return new DeltaError('InvalidLog', `the table schema is invalid: ${why}`)
}

function parseType(json: unknown, where: string, depth: number): DeltaType {
  if (typeof json === 'string') {
    if (PRIMITIVES.has(json)) return json as PrimitiveType
    const d = DECIMAL.exec(json)
    if (d) {
      const precision = Number(d[1])
      const scale = Number(d[2])
      if (precision < 1 || precision > 38 || scale > precision) throw invalidSchema(`invalid decimal type ${json} at ${where}`)
      return `decimal(${precision},${scale})`
    }
    throw new DeltaError('UnsupportedFeature', `data type '${json.slice(0, 60)}' (at ${where}) is not supported`)
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw invalidSchema(`invalid type at ${where}`)
  if (depth > MAX_SCHEMA_DEPTH) throw invalidSchema(`types are nested more than ${MAX_SCHEMA_DEPTH} levels deep at ${where.slice(0, 200)}`)
  const o = json as Record<string, unknown>
  switch (o.type) {
    case 'struct': return parseStruct(o, where, depth)
    case 'array':
      return {
        type: 'array',
        elementType: parseType(o.elementType, `${where}[]`, depth + 1),
        containsNull: flag(o, 'containsNull', where),
      }
    case 'map':
      return {
        type: 'map',
        keyType: parseType(o.keyType, `${where}.key`, depth + 1),
        valueType: parseType(o.valueType, `${where}.value`, depth + 1),
        valueContainsNull: flag(o, 'valueContainsNull', where),
      }
    default:
      if (typeof o.type !== 'string') throw invalidSchema(`a type without a type name at ${where}`)
      throw new DeltaError('UnsupportedFeature', `data type '${o.type.slice(0, 60)}' (at ${where}) is not supported`)
  }
}

function parseStruct(o: Record<string, unknown>, where: string, depth: number): StructType {
  if (!Array.isArray(o.fields)) throw invalidSchema(`struct without fields at ${where}`)
  const fields = o.fields.map((f) => parseField(f, where, depth))
  // Delta requires names unique regardless of case: columns resolve case-insensitively.
  const names = new Map<string, string>()
  for (const f of fields) {
    const lower = f.name.toLowerCase()
    const other = names.get(lower)
    if (other !== undefined) throw invalidSchema(`columns '${other}' and '${f.name}' of ${where} have the same name (names must differ regardless of case)`)
    names.set(lower, f.name)
  }
  return { type: 'struct', fields }
}

function parseField(json: unknown, where: string, depth: number): StructField {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw invalidSchema(`a struct field is not an object at ${where}`)
  const o = json as Record<string, unknown>
  if (typeof o.name !== 'string') throw invalidSchema(`struct field without a name at ${where}`)
  const path = where === 'schema' ? o.name : `${where}.${o.name}`
  if (o.metadata !== undefined && o.metadata !== null && (typeof o.metadata !== 'object' || Array.isArray(o.metadata))) {
    throw invalidSchema(`the metadata of field ${path} is not an object`)
  }
  return {
    name: o.name,
    type: parseType(o.type, path, depth + 1),
    nullable: flag(o, 'nullable', path),
    metadata: (o.metadata as Record<string, unknown> | null | undefined) ?? {},
  }
}

/** A nullability flag: true unless written false; anything but a boolean is refused. */
function flag(o: Record<string, unknown>, key: string, where: string): boolean {
  const v = o[key]
  if (v === undefined || v === null) return true
  if (typeof v !== 'boolean') throw invalidSchema(`'${key}' of ${where} is not true or false`)
  return v
}

/**
 * Why `partitionColumns` do not fit `schema` (undefined when they do): each must name a distinct
 * top-level column (as {@link findField} resolves names) of a primitive type.
 */
export function checkPartitionColumns(schema: StructType, partitionColumns: readonly string[]): string | undefined {
  const seen = new Set<string>()
  for (const name of partitionColumns) {
    const field = findField(schema, name)
    if (!field) return `name '${name}', which is not a column of the table schema`
    if (typeof field.type !== 'string') return `name '${name}', a ${field.type.type} column; partition columns must be of a primitive type`
    if (seen.has(field.name)) return `name '${name}' twice`
    seen.add(field.name)
  }
  return undefined
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

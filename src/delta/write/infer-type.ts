import { DeltaError } from '../engine/errors.js'
import type { DeltaType, StructField, StructType } from '../model/schema.js'

/** The kinds of JavaScript values inference tells apart. */
type Kind = 'number' | 'bigint' | 'string' | 'boolean' | 'Date' | 'binary' | 'array' | 'Map' | 'object'

const KIND_TYPES: Partial<Record<Kind, DeltaType>> = {
  number: 'double', bigint: 'long', string: 'string', boolean: 'boolean', Date: 'timestamp', binary: 'binary',
}

/**
 * What one pass over the values at a column path saw: the first kind of value, any other kinds
 * (with the row where the first of them appeared), and the same for the keys of objects, the
 * elements of arrays and the entries of Maps. One pass, no copies of the values.
 */
export interface ValueSurvey {
  readonly path: string
  kind?: Kind
  /** Every kind seen, once a second kind appeared. */
  kinds?: Set<Kind>
  conflictRow?: number
  /** Object keys, by exact spelling (several spellings of one name share a survey). */
  fields?: Map<string, ValueSurvey>
  /** Object keys in order of first appearance, one per case-insensitive name. */
  names?: Array<{ name: string; survey: ValueSurvey }>
  element?: ValueSurvey
  key?: ValueSurvey
  value?: ValueSurvey
}

/** True for `{...}` objects (not arrays, Dates, Maps, byte arrays or class instances). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false
  const proto = Object.getPrototypeOf(v) as unknown
  return proto === Object.prototype || proto === null
}

function kindOf(v: unknown, path: string, row: number): Kind {
  switch (typeof v) {
    case 'number': case 'bigint': case 'string': case 'boolean': return typeof v as Kind
  }
  if (v instanceof Date) return 'Date'
  if (v instanceof Uint8Array || v instanceof ArrayBuffer) return 'binary'
  if (Array.isArray(v)) return 'array'
  if (v instanceof Map) return 'Map'
  if (isPlainObject(v)) return 'object'
  const what = typeof v === 'object' ? `a ${(v as object).constructor?.name ?? 'class'} instance` : `a ${typeof v}`
  throw new DeltaError('InvalidArgument', `column '${path}', row ${row}: ${what} cannot be stored; use numbers, bigints, strings, booleans, Dates, Uint8Arrays, arrays, Maps or plain objects`)
}

/** The value of `key` in a plain object: exact key first, then case-insensitively (as columns resolve). */
export function valueOf(obj: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(obj, key)) return obj[key]
  const lower = key.toLowerCase()
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k]
  return undefined
}

/** A survey of nothing yet, for the column at `path`. */
export function newSurvey(path: string): ValueSurvey {
  return { path }
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name
}

function fieldSurvey(s: ValueSurvey, key: string): ValueSurvey {
  const fields = (s.fields ??= new Map())
  let child = fields.get(key)
  if (child) return child
  const names = (s.names ??= [])
  const lower = key.toLowerCase()
  child = names.find((n) => n.name.toLowerCase() === lower)?.survey
  if (!child) {
    child = newSurvey(join(s.path, key))
    names.push({ name: key, survey: child })
  }
  fields.set(key, child)
  return child
}

/** Record one value (of input row `row`) in the survey of its column. */
export function surveyValue(s: ValueSurvey, v: unknown, row: number): void {
  if (v === null || v === undefined) return
  const kind = kindOf(v, s.path, row)
  if (s.kind === undefined) s.kind = kind
  if (s.kind !== kind || s.kinds) {
    s.kinds ??= new Set([s.kind])
    if (!s.kinds.has(kind)) s.conflictRow ??= row
    s.kinds.add(kind)
    if (s.kind !== kind) return
  }
  switch (kind) {
    case 'object':
      for (const key in v as Record<string, unknown>) surveyValue(fieldSurvey(s, key), (v as Record<string, unknown>)[key], row)
      return
    case 'array':
      for (const e of v as unknown[]) surveyValue((s.element ??= newSurvey(`${s.path}[]`)), e, row)
      return
    case 'Map':
      for (const [k, e] of v as Map<unknown, unknown>) {
        surveyValue((s.key ??= newSurvey(`${s.path}.key`)), k, row)
        surveyValue((s.value ??= newSurvey(`${s.path}.value`)), e, row)
      }
  }
}

/**
 * The Delta type of a surveyed column, inferred strictly, as pyarrow and delta-rs infer: number
 * -> double (even when every number is whole), bigint -> long, string, boolean, Date ->
 * timestamp (UTC), Uint8Array -> binary, array -> array of the elements' type, Map -> map,
 * plain object -> struct of its keys (first appearance order, over all rows). Mixed kinds are
 * `InvalidArgument` naming the column, the kinds seen and the row of the first conflict; no
 * value at all is `InvalidArgument` asking for a schema.
 */
export function surveyedType(s: ValueSurvey | undefined, path: string): DeltaType {
  if (!s || s.kind === undefined) {
    throw new DeltaError('InvalidArgument', `column '${path}' is null (or missing) in every row, so its type cannot be inferred; pass a schema`)
  }
  if (s.kinds && s.kinds.size > 1) {
    throw new DeltaError('InvalidArgument', `column '${path}' mixes ${[...s.kinds].join(' and ')} values (the first conflict is in row ${s.conflictRow}); give every row the same kind of value, or pass a schema`)
  }
  const primitive = KIND_TYPES[s.kind]
  if (primitive) return primitive
  switch (s.kind) {
    case 'array': return { type: 'array', elementType: surveyedType(s.element, `${path}[]`), containsNull: true }
    case 'Map': return { type: 'map', keyType: surveyedType(s.key, `${path}.key`), valueType: surveyedType(s.value, `${path}.value`), valueContainsNull: true }
    default: return extendStruct({ type: 'struct', fields: [] }, s, path)
  }
}

/** The survey of the object key matching `name` case-insensitively, if any row had it. */
export function surveyOfField(s: ValueSurvey, name: string): ValueSurvey | undefined {
  const lower = name.toLowerCase()
  return s.fields?.get(name) ?? s.names?.find((n) => n.name.toLowerCase() === lower)?.survey
}

/**
 * A struct type with the object keys it lacks added at the end (types inferred, nullable),
 * recursively: a known schema stays as it is, and values it does not cover are typed as
 * inference types them, for schema evolution to accept or refuse.
 */
export function extendStruct(struct: StructType, s: ValueSurvey, path: string): StructType {
  if (s.kind !== 'object') return struct
  const known = struct.fields.map((f) => {
    const child = surveyOfField(s, f.name)
    return child ? { ...f, type: extendType(f.type, child, join(path, f.name)) } : f
  })
  const added = (s.names ?? [])
    .filter((n) => !struct.fields.some((f) => f.name.toLowerCase() === n.name.toLowerCase()))
    .map((n): StructField => ({ name: n.name, type: surveyedType(n.survey, join(path, n.name)), nullable: true, metadata: {} }))
  return { ...struct, fields: [...known, ...added] }
}

function extendType(type: DeltaType, s: ValueSurvey, path: string): DeltaType {
  if (typeof type === 'string' || s.kinds) return type
  switch (type.type) {
    case 'struct': return extendStruct(type, s, path)
    case 'array': return s.element && s.kind === 'array' ? { ...type, elementType: extendType(type.elementType, s.element, `${path}[]`) } : type
    case 'map': return s.value && s.kind === 'Map' ? { ...type, valueType: extendType(type.valueType, s.value, `${path}.value`) } : type
  }
}

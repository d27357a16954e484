import type { Table, Vector } from 'apache-arrow'
import { describeDeltaType } from '../../arrow/types.js'
import { DeltaError } from '../../engine/errors.js'
import { vectorFromScalars } from '../../arrow/build-vector.js'
import { castScalar } from '../../expr/sql/cast.js'
import { evaluateSqlValues } from '../../expr/sql/evaluate.js'
import { isIntegral } from '../../expr/sql/typing.js'
import type { StructField, StructType } from '../../model/schema.js'
import { suppliesColumn, withColumns } from './table-columns.js'

/** Field metadata key of an identity column's first value. */
export const IDENTITY_START_KEY = 'delta.identity.start'
/** Field metadata key of an identity column's increment (never 0). */
export const IDENTITY_STEP_KEY = 'delta.identity.step'
/** Field metadata key of the last identity value generated. */
export const IDENTITY_HIGH_WATER_MARK_KEY = 'delta.identity.highWaterMark'
/** Field metadata key saying whether writers may supply identity values themselves. */
export const IDENTITY_ALLOW_EXPLICIT_INSERT_KEY = 'delta.identity.allowExplicitInsert'

const LONG_MIN = -(2n ** 63n)
const LONG_MAX = 2n ** 63n - 1n

/** An identity column's settings, as exact bigints. */
export interface IdentityInfo {
  start: bigint
  step: bigint
  /** The last value generated (or synced from explicit inserts); undefined before the first. */
  highWaterMark?: bigint
  allowExplicitInsert: boolean
}

/** True when a field is an identity column (it has identity start or step metadata). */
export function isIdentityColumn(field: StructField): boolean {
  return field.metadata[IDENTITY_START_KEY] !== undefined || field.metadata[IDENTITY_STEP_KEY] !== undefined
}

function metadataLong(field: StructField, key: string, fallback?: bigint): bigint | undefined {
  const raw = field.metadata[key]
  if (raw === undefined || raw === null) return fallback
  const text = String(raw)
  if (!/^[+-]?\d+$/.test(text)) throw new DeltaError('InvalidLog', `identity column '${field.name}' has ${key} = ${JSON.stringify(raw)}, which is not a whole number`)
  return BigInt(text)
}

/** The identity settings of a field (Spark's defaults: start 1, step 1). Step 0 is `InvalidArgument`. */
export function identityInfoOf(field: StructField): IdentityInfo {
  const step = metadataLong(field, IDENTITY_STEP_KEY, 1n)!
  if (step === 0n) throw new DeltaError('InvalidArgument', `identity column '${field.name}' has step 0; an identity step must be a non-zero whole number`)
  const allow = field.metadata[IDENTITY_ALLOW_EXPLICIT_INSERT_KEY]
  return {
    start: metadataLong(field, IDENTITY_START_KEY, 1n)!,
    step,
    highWaterMark: metadataLong(field, IDENTITY_HIGH_WATER_MARK_KEY),
    allowExplicitInsert: allow === true || String(allow).toLowerCase() === 'true',
  }
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q
}

/**
 * The first value on the `start + k * step` lattice (k >= 0) strictly beyond the high-water mark
 * in the step's direction, or `start` before anything was generated.
 */
export function nextIdentityValue(info: IdentityInfo): bigint {
  const { start, step, highWaterMark: hwm } = info
  if (hwm === undefined) return start
  const k = floorDiv(hwm - start, step) + 1n
  return k <= 0n ? start : start + k * step
}

/** The lattice value at or beyond `v` in the step's direction (Spark's sync rounding). */
function roundToLattice(v: bigint, info: IdentityInfo): bigint {
  const offset = v - info.start
  if (offset % info.step === 0n) return v
  return info.start + (offset / info.step + 1n) * info.step
}

function generate(field: StructField, info: IdentityInfo, rows: number): { vector: Vector; last: bigint | undefined } {
  const first = nextIdentityValue(info)
  const last = rows === 0 ? undefined : first + BigInt(rows - 1) * info.step
  if (last !== undefined && (last < LONG_MIN || last > LONG_MAX)) {
    throw new DeltaError('InvalidArgument', `identity column '${field.name}' would overflow a long after ${info.highWaterMark ?? 'its start'}; no more values can be generated`)
  }
  const values = Array.from({ length: rows }, (_, i) => {
    const v = first + BigInt(i) * info.step
    return field.type === 'long' ? v : castScalar(v, 'long', field.type)
  })
  return { vector: vectorFromScalars(values, field.type), last }
}

/** The high-water mark after explicit values: the extreme value in the step's direction, on the lattice. */
function syncedHighWaterMark(table: Table, field: StructField, info: IdentityInfo): bigint | undefined {
  let extreme: bigint | undefined
  for (const v of evaluateSqlValues({ kind: 'column', path: [field.name], type: field.type }, table)) {
    if (v === null) continue
    const b = BigInt(v as number | bigint)
    if (extreme === undefined || (info.step > 0n ? b > extreme : b < extreme)) extreme = b
  }
  if (extreme === undefined) return info.highWaterMark
  const beforeStart = info.step > 0n ? extreme < info.start : extreme > info.start
  if (beforeStart) return info.highWaterMark
  const rounded = roundToLattice(extreme, info)
  if (info.highWaterMark === undefined) return rounded
  return info.step > 0n ? (rounded > info.highWaterMark ? rounded : info.highWaterMark) : (rounded < info.highWaterMark ? rounded : info.highWaterMark)
}

function withHighWaterMark(field: StructField, hwm: bigint): StructField {
  if (hwm > BigInt(Number.MAX_SAFE_INTEGER) || hwm < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new DeltaError('UnsupportedFeature', `identity column '${field.name}' reached ${hwm}, beyond 2^53: its high-water mark cannot be recorded exactly in JSON by this library`)
  }
  return { ...field, metadata: { ...field.metadata, [IDENTITY_HIGH_WATER_MARK_KEY]: Number(hwm) } }
}

/**
 * Identity columns (`delta.identity.*`): a column the data lacks (or holds only nulls for, see
 * `suppliesColumn`) gets values `start + k * step`
 * continuing after the high-water mark (so never a value generated before; overflow of a long is
 * an error); a column the data supplies is `InvalidArgument` unless `allowExplicitInsert` is true,
 * and then the values are kept and the high-water mark moves past them (rounded onto the step
 * lattice, ignoring values before `start`, as Spark's identity sync does) so later generated
 * values stay unique. Returns the table (columns in schema order) and the schema with the new
 * high-water marks; the very same schema object when nothing moved, so callers can tell.
 */
export function assignIdentityValues(table: Table, schema: StructType): { table: Table; schema: StructType } {
  const added = new Map<string, Vector>()
  let fields = schema.fields
  for (const field of schema.fields.filter(isIdentityColumn)) {
    if (!isIntegral(field.type)) throw new DeltaError('InvalidArgument', `identity column '${field.name}' is ${describeDeltaType(field.type)}; identity columns must be long`)
    const info = identityInfoOf(field)
    let hwm: bigint | undefined
    if (suppliesColumn(table, field)) {
      if (!info.allowExplicitInsert) {
        throw new DeltaError('InvalidArgument', `identity column '${field.name}' is GENERATED ALWAYS (delta.identity.allowExplicitInsert is false): leave it out of the data and its values are generated`)
      }
      hwm = syncedHighWaterMark(table, field, info)
    } else {
      const generated = generate(field, info, table.numRows)
      added.set(field.name, generated.vector)
      hwm = generated.last ?? info.highWaterMark
    }
    if (hwm !== undefined && hwm !== info.highWaterMark) fields = fields.map((f) => (f === field ? withHighWaterMark(f, hwm!) : f))
  }
  return { table: withColumns(table, schema, added), schema: fields === schema.fields ? schema : { ...schema, fields } }
}

import { Type, type Data, type Decimal, type Table } from 'apache-arrow'
import { isDeltaError } from '../engine/errors.js'
import { resolveColumnChunks, type LeafChunk } from '../arrow/columns.js'
import { compareScalars } from '../values/compare.js'
import { makeValueReader } from '../arrow/readers.js'
import type { Scalar } from '../model/scalar.js'
import type { DeltaType } from '../model/schema.js'

/** The statistics of one leaf column of a file. */
export interface LeafStats {
  /** Rows where the column is null (a field of a null struct counts as null). */
  nullCount: number
  /** Smallest and largest non-null value; undefined when every row is null (or not asked). */
  min?: Scalar
  max?: Scalar
}

/**
 * Null count and (when `withBounds`) the min and max of the column at `path` (logical names),
 * read exactly from the Arrow buffers, ordered as Spark orders them: strings by code point (as
 * UTF-8 bytes sort), NaN above every other float (so a NaN makes the max NaN, and the min only
 * when every value is NaN). A column the table lacks counts as all null, as Spark counts a
 * column missing from the written data.
 */
export function collectLeafStats(table: Table, path: readonly string[], type: DeltaType, withBounds: boolean): LeafStats {
  let chunks: LeafChunk[]
  try {
    chunks = resolveColumnChunks(table, path)
  } catch (e) {
    if (isDeltaError(e, 'SchemaMismatch')) return { nullCount: table.numRows }
    throw e
  }
  const stats: LeafStats = { nullCount: 0 }
  for (const chunk of chunks) {
    stats.nullCount += countNulls(chunk)
    if (withBounds) accumulateBounds(chunk, type, stats)
  }
  return stats
}

function countNulls(chunk: LeafChunk): number {
  if (!chunk.nulls) return 0
  let n = 0
  for (let i = 0; i < chunk.length; i++) n += chunk.nulls[i]!
  return n
}

function accumulateBounds(chunk: LeafChunk, type: DeltaType, stats: LeafStats): void {
  if (chunk.length === 0) return
  if (type === 'string' && chunk.data.typeId === Type.Utf8) {
    const b = utf8Bounds(chunk)
    if (b) mergeBounds(stats, b.min, b.max, type)
    return
  }
  const read = makeValueReader(chunk, type)
  const rows = typedBoundRows(chunk, type)
  if (rows !== undefined) {
    if (rows !== null) mergeBounds(stats, read(rows.lo)!, read(rows.hi)!, type)
    return
  }
  let min: Scalar | undefined
  let max: Scalar | undefined
  for (let i = 0; i < chunk.length; i++) {
    const v = read(i)
    if (v === null) continue
    if (min === undefined || compareScalars(v, min, type) < 0) min = v
    if (max === undefined || compareScalars(v, max, type) > 0) max = v
  }
  if (min !== undefined && max !== undefined) mergeBounds(stats, min, max, type)
}

/**
 * The rows holding the min and max of a fixed-width numeric, decimal, date or timestamp chunk, found on
 * the raw buffer (no value object per row): reading a value as its Delta type keeps raw order,
 * so only the two winners need reading. Null when every row is null; undefined for a chunk
 * this does not cover.
 */
function typedBoundRows(chunk: LeafChunk, type: DeltaType): { lo: number; hi: number } | null | undefined {
  const data = chunk.data
  const values = data.values as unknown
  if (data.typeId === Type.Float && (type === 'float' || type === 'double') && (values instanceof Float64Array || values instanceof Float32Array)) {
    return floatBoundRows(values, chunk.length, chunk.nulls)
  }
  if (data.typeId === Type.Decimal && values instanceof Uint32Array) {
    // A decimal read at another scale is rescaled exactly, which keeps the order.
    const stride = (data.type as Decimal).bitWidth / 32
    return wideIntBoundRows(new Int32Array(values.buffer, values.byteOffset, chunk.length * stride), stride, chunk.length, chunk.nulls)
  }
  const numeric = data.typeId === Type.Int || data.typeId === Type.Date || data.typeId === Type.Timestamp
  if (!numeric || typeof type !== 'string') return undefined
  if (values instanceof Int32Array || values instanceof Int16Array || values instanceof Int8Array ||
    values instanceof Uint32Array || values instanceof Uint16Array || values instanceof Uint8Array) {
    return numberBoundRows(values, chunk.length, chunk.nulls)
  }
  if (values instanceof BigInt64Array) return wideIntBoundRows(new Int32Array(values.buffer, values.byteOffset, chunk.length * 2), 2, chunk.length, chunk.nulls)
  return undefined
}

function numberBoundRows(values: ArrayLike<number>, length: number, nulls: Uint8Array | null): { lo: number; hi: number } | null {
  let lo = -1
  let hi = -1
  for (let i = 0; i < length; i++) {
    if (nulls !== null && nulls[i]) continue
    const v = values[i]!
    if (lo < 0 || v < values[lo]!) lo = i
    if (hi < 0 || v > values[hi]!) hi = i
  }
  return lo < 0 ? null : { lo, hi }
}

/** As Spark orders floats: NaN above everything, so it is the max when present, and the min only when every value is NaN. */
function floatBoundRows(values: Float64Array | Float32Array, length: number, nulls: Uint8Array | null): { lo: number; hi: number } | null {
  let lo = -1
  let hi = -1
  let nan = -1
  for (let i = 0; i < length; i++) {
    if (nulls !== null && nulls[i]) continue
    const v = values[i]!
    if (v !== v) {
      if (nan < 0) nan = i
      continue
    }
    if (lo < 0 || v < values[lo]!) lo = i
    if (hi < 0 || v > values[hi]!) hi = i
  }
  if (nan >= 0) return { lo: lo < 0 ? nan : lo, hi: nan }
  return lo < 0 ? null : { lo, hi }
}

/**
 * Signed integers of `stride` 32-bit little-endian words (64-bit ints, 128- and 256-bit
 * decimals) compared word by word from the top, the top word signed: no bigint per row.
 */
function wideIntBoundRows(words: Int32Array, stride: number, length: number, nulls: Uint8Array | null): { lo: number; hi: number } | null {
  const less = (a: number, b: number): boolean => {
    const top = stride - 1
    const ta = words[a * stride + top]!
    const tb = words[b * stride + top]!
    if (ta !== tb) return ta < tb
    for (let w = top - 1; w >= 0; w--) {
      const x = words[a * stride + w]! >>> 0
      const y = words[b * stride + w]! >>> 0
      if (x !== y) return x < y
    }
    return false
  }
  let lo = -1
  let hi = -1
  for (let i = 0; i < length; i++) {
    if (nulls !== null && nulls[i]) continue
    if (lo < 0 || less(i, lo)) lo = i
    if (hi < 0 || less(hi, i)) hi = i
  }
  return lo < 0 ? null : { lo, hi }
}

function mergeBounds(stats: LeafStats, min: Scalar, max: Scalar, type: DeltaType): void {
  if (stats.min === undefined || compareScalars(min, stats.min, type) < 0) stats.min = min
  if (stats.max === undefined || compareScalars(max, stats.max, type) > 0) stats.max = max
}

const UTF8 = new TextDecoder()

/**
 * Min and max of a Utf8 chunk by comparing the encoded bytes in place (UTF-8 byte order is code
 * point order), decoding only the two winners: no string is built per row.
 */
function utf8Bounds(chunk: LeafChunk): { min: string; max: string } | undefined {
  const data: Data = chunk.data
  const offsets = data.valueOffsets as Int32Array
  const bytes = data.values as Uint8Array
  const nulls = chunk.nulls
  let lo = -1
  let hi = -1
  for (let i = 0; i < chunk.length; i++) {
    if (nulls && nulls[i]) continue
    if (lo < 0 || compareSlices(bytes, offsets, i, lo) < 0) lo = i
    if (hi < 0 || compareSlices(bytes, offsets, i, hi) > 0) hi = i
  }
  if (lo < 0) return undefined
  const text = (i: number) => UTF8.decode(bytes.subarray(offsets[i]!, offsets[i + 1]!))
  return { min: text(lo), max: text(hi) }
}

function compareSlices(bytes: Uint8Array, offsets: Int32Array, a: number, b: number): number {
  let i = offsets[a]!
  let j = offsets[b]!
  const endA = offsets[a + 1]!
  const endB = offsets[b + 1]!
  for (; i < endA && j < endB; i++, j++) {
    const d = bytes[i]! - bytes[j]!
    if (d !== 0) return d
  }
  return (endA - i) - (endB - j)
}

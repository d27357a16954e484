import { Type, type Data, type Table } from 'apache-arrow'
import { isDeltaError } from '../errors.js'
import { resolveColumnChunks, type LeafChunk } from '../expr/arrow-columns.js'
import { compareScalars } from '../expr/compare.js'
import { makeValueReader } from '../expr/readers.js'
import type { Scalar } from '../scalar.js'
import type { DeltaType } from '../schema.js'

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

import { makeData, RecordBatch, Struct, Table, type Data, type Schema } from 'apache-arrow'
import { DeltaError } from '../engine/errors.js'
import { takeData } from './take.js'

/** Positions of the non-zero entries of `keep`. */
function keptIndices(keep: Uint8Array, count: number): Int32Array {
  const out = new Int32Array(count)
  let k = 0
  for (let i = 0; i < keep.length; i++) if (keep[i] !== 0) out[k++] = i
  return out
}

function countKept(keep: Uint8Array): number {
  let n = 0
  for (let i = 0; i < keep.length; i++) if (keep[i] !== 0) n++
  return n
}

/**
 * The rows of `data` whose `keep` entry is non-zero, in order. `keep` has one entry per row of
 * the (possibly sliced) data. Returns `data` itself when every row is kept.
 */
export function filterData(data: Data, keep: Uint8Array): Data {
  if (keep.length !== data.length) {
    throw new DeltaError('InvalidArgument', `a row mask of ${keep.length} entries cannot filter ${data.length} rows`)
  }
  const kept = countKept(keep)
  return kept === data.length ? data : takeData(data, keptIndices(keep, kept))
}

/** A record batch of `schema` from per-column data of `length` rows. */
function batchOf(schema: Schema, children: Data[], length: number): RecordBatch {
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children }))
}

/**
 * The rows of `table` whose `keep` entry is non-zero (1 = keep), batch by batch, in order:
 * the scan's deletion vectors and predicates end here. Arrow JS has no filter kernel, so each
 * column is gathered on its buffers. Returns the table unchanged when every row is kept.
 */
export function filterTable(table: Table, keep: Uint8Array): Table {
  if (keep.length !== table.numRows) {
    throw new DeltaError('InvalidArgument', `a row mask of ${keep.length} entries cannot filter a table of ${table.numRows} rows`)
  }
  if (countKept(keep) === keep.length) return table
  const batches: RecordBatch[] = []
  let offset = 0
  for (const batch of table.batches) {
    const n = batch.numRows
    const mask = keep.subarray(offset, offset + n)
    offset += n
    const kept = countKept(mask)
    if (kept === n) batches.push(batch)
    else if (kept > 0) {
      const rows = keptIndices(mask, kept)
      batches.push(batchOf(table.schema, batch.data.children.map((c) => takeData(c, rows)), kept))
    }
  }
  return new Table(table.schema, batches)
}

/**
 * The rows of `table` at `indices` (any order, repeats allowed), as batches that follow runs of
 * indices falling into the same source batch. For samples, sorting and `LIMIT`-style reads.
 */
export function takeRows(table: Table, indices: Int32Array): Table {
  const starts: number[] = []
  let total = 0
  for (const b of table.batches) {
    starts.push(total)
    total += b.numRows
  }
  const batches: RecordBatch[] = []
  let i = 0
  while (i < indices.length) {
    const b = batchIndexOf(starts, total, indices[i]!)
    const base = starts[b]!
    const end = base + table.batches[b]!.numRows
    let j = i + 1
    while (j < indices.length && indices[j]! >= base && indices[j]! < end) j++
    const rows = new Int32Array(j - i)
    for (let k = i; k < j; k++) rows[k - i] = indices[k]! - base
    const batch = table.batches[b]!
    batches.push(batchOf(table.schema, batch.data.children.map((c) => takeData(c, rows)), rows.length))
    i = j
  }
  return new Table(table.schema, batches)
}

function batchIndexOf(starts: number[], total: number, row: number): number {
  if (!Number.isInteger(row) || row < 0 || row >= total) {
    throw new DeltaError('InvalidArgument', `row ${row} is outside a table of ${total} rows`)
  }
  // The last batch starting at or before the row: never an empty one, as row < total.
  let lo = 0
  let hi = starts.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (starts[mid]! <= row) lo = mid
    else hi = mid - 1
  }
  return lo
}

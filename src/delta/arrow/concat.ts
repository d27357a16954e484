import { Data, DataType, makeData, RecordBatch, Struct, Table, Type } from 'apache-arrow'
import { DeltaError } from '../engine/errors.js'
import { newBitmap, setBit, testBit } from './bitmap.js'

/**
 * The rows of `table` as one record batch (a table of one batch), each column's chunks copied
 * into buffers of their own. Gathering rows in an arbitrary order (a sort) from a table of many
 * batches would otherwise make a batch per run of rows that share a source batch: one per row
 * when the order is random.
 */
export function concatBatches(table: Table): Table {
  if (table.batches.length <= 1) return table
  const children = table.schema.fields.map((_, i) => concatData(table.batches.map((b) => b.data.children[i]!)))
  const data = makeData({ type: new Struct(table.schema.fields), length: table.numRows, nullCount: 0, children })
  return new Table(table.schema, [new RecordBatch(table.schema, data)])
}

/** The rows of every part, in order, as one Data of their (shared) type. */
export function concatData(parts: readonly Data[]): Data {
  const type = parts[0]!.type
  if (parts.length === 1) return parts[0]!
  const n = parts.reduce((s, p) => s + p.length, 0)
  const nullCount = parts.reduce((s, p) => s + p.nullCount, 0)
  if (DataType.isNull(type)) return new Data(type, 0, n, n)
  const bitmap = nullCount > 0 ? concatBits(parts, (p) => p.nullBitmap, n, true) : undefined
  switch (type.typeId) {
    case Type.Bool:
      return new Data(type, 0, n, nullCount, [undefined, concatBits(parts, (p) => p.values as Uint8Array, n, false), bitmap])
    case Type.Binary: case Type.Utf8: case Type.LargeBinary: case Type.LargeUtf8: {
      const { offsets, ranges } = concatOffsets(parts)
      const bytes = new Uint8Array(ranges.reduce((s, r) => s + r.end - r.start, 0))
      let at = 0
      ranges.forEach((r, i) => {
        bytes.set((parts[i]!.values as Uint8Array).subarray(r.start, r.end), at)
        at += r.end - r.start
      })
      return new Data(type, 0, n, nullCount, [offsets, bytes, bitmap])
    }
    case Type.List: case Type.Map: case Type.LargeList: {
      const { offsets, ranges } = concatOffsets(parts)
      const child = concatData(ranges.map((r, i) => parts[i]!.children[0]!.slice(r.start, r.end - r.start)))
      return new Data(type, 0, n, nullCount, [offsets, undefined, bitmap], [child])
    }
    case Type.Struct:
      return new Data(type, 0, n, nullCount, [undefined, undefined, bitmap], type.children.map((_: unknown, k: number) => concatData(parts.map((p) => p.children[k]!))))
    case Type.FixedSizeList: case Type.Union: case Type.Dictionary:
      throw new DeltaError('Internal', `cannot concatenate ${String(type)} columns`)
    default: {
      const stride = parts[0]!.stride
      const first = parts[0]!.values as unknown as { constructor: new (n: number) => { set(a: ArrayLike<unknown>, at: number): void } }
      const values = new first.constructor(n * stride)
      let at = 0
      for (const p of parts) {
        const v = p.values as unknown as { subarray(a: number, b: number): ArrayLike<unknown> }
        values.set(v.subarray(0, p.length * stride), at * stride)
        at += p.length
      }
      return new Data(type, 0, n, nullCount, [undefined, values as never, bitmap])
    }
  }
}

/** Bits of each part (from its offset), one after the other; a missing bitmap is all set when `allSetIfMissing`. */
function concatBits(parts: readonly Data[], bitsOf: (p: Data) => Uint8Array | undefined | null, n: number, allSetIfMissing: boolean): Uint8Array {
  const out = newBitmap(n)
  let at = 0
  for (const p of parts) {
    const bits = bitsOf(p)
    const hasBits = bits && bits.length > 0 && (!allSetIfMissing || p.nullCount > 0)
    for (let i = 0; i < p.length; i++) {
      if (hasBits ? testBit(bits, p.offset + i) : allSetIfMissing) setBit(out, at + i)
    }
    at += p.length
  }
  return out
}

/** The parts' offsets joined (each part's shifted to follow the last), and each part's span of values. */
function concatOffsets(parts: readonly Data[]): { offsets: Int32Array | BigInt64Array; ranges: { start: number; end: number }[] } {
  const large = parts[0]!.valueOffsets instanceof BigInt64Array
  const n = parts.reduce((s, p) => s + p.length, 0)
  const out = large ? new BigInt64Array(n + 1) : new Int32Array(n + 1)
  const ranges: { start: number; end: number }[] = []
  let row = 0
  let base = 0
  for (const p of parts) {
    const offs = p.valueOffsets as Int32Array | BigInt64Array
    const start = Number(offs[0]!)
    for (let i = 1; i <= p.length; i++) {
      const v = base + Number(offs[i]!) - start
      if (large) (out as BigInt64Array)[row + i] = BigInt(v)
      else (out as Int32Array)[row + i] = v
    }
    const end = Number(offs[p.length]!)
    ranges.push({ start, end })
    base += end - start
    row += p.length
  }
  if (!large && base > 0x7fffffff) throw new DeltaError('InvalidData', 'a column holds more than 2 GiB of values in one partition; z-order a smaller partition')
  return { offsets: out, ranges }
}

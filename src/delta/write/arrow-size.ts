import { DataType, type Data, type Table } from 'apache-arrow'

/**
 * The bytes of Arrow data a table's rows hold, counting only the rows it has: slices of a
 * bigger batch share their parent's buffers (string bytes, list children, validity bitmaps), so
 * `Data.byteLength` would count the whole parent for every slice. Used to cut input into files
 * of a target size; an estimate (dictionaries are counted by their share of the rows).
 */
export function tableBytes(table: Table): number {
  let n = 0
  for (const batch of table.batches) n += dataBytes(batch.data, 0, batch.numRows)
  return n
}

/** Bytes of rows `[begin, end)` of `data` (indices relative to the data's own offset). */
function dataBytes(data: Data, begin: number, end: number): number {
  const rows = end - begin
  if (rows <= 0) return 0
  let n = data.nullBitmap && data.nullCount !== 0 ? Math.ceil(rows / 8) : 0
  const type = data.type
  if (DataType.isBool(type)) return n + Math.ceil(rows / 8)
  if (DataType.isStruct(type)) {
    for (const child of data.children) n += dataBytes(child, begin, end)
    return n
  }
  if (DataType.isFixedSizeList(type)) return n + dataBytes(data.children[0]!, begin * type.listSize, end * type.listSize)
  if (DataType.isDictionary(type)) {
    const dict = data.dictionary?.data ?? []
    let dictBytes = 0
    for (const d of dict) dictBytes += dataBytes(d, 0, d.length)
    return n + rows * data.values.BYTES_PER_ELEMENT + Math.ceil(dictBytes * Math.min(1, rows / Math.max(1, data.length)))
  }
  const offsets = data.valueOffsets as ArrayLike<number | bigint> | undefined
  if (offsets && !DataType.isUnion(type)) {
    const first = Number(offsets[begin]!)
    const last = Number(offsets[end]!)
    n += (rows + 1) * (offsets as Int32Array).BYTES_PER_ELEMENT
    // Strings and binaries hold their bytes; lists and maps hold a child range.
    return data.children.length === 0 ? n + (last - first) : n + dataBytes(data.children[0]!, first, last)
  }
  if (data.children.length > 0) {
    // Unions: each child's share of the rows.
    for (const child of data.children) n += Math.ceil(dataBytes(child, 0, child.length) * Math.min(1, rows / Math.max(1, data.length)))
    return n + rows * 5
  }
  const values = data.values as ArrayLike<unknown> & { BYTES_PER_ELEMENT?: number } | undefined
  return n + (values?.BYTES_PER_ELEMENT ?? 0) * data.stride * rows
}

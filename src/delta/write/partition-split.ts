import { Table, type RecordBatch } from 'apache-arrow'
import { takeRows } from '../arrow/index.js'
import { resolveColumnChunks } from '../arrow/columns.js'
import { makeValueReader } from '../arrow/readers.js'
import { formatPartitionValue } from '../values/partition-value.js'
import type { Scalar } from '../model/scalar.js'
import type { StructField } from '../model/schema.js'

/** The rows of a batch that share one set of partition values. */
export interface PartitionSlice {
  /** Serialized partition values (as the log stores them) by logical column name; the writer keys them by physical name. */
  values: Record<string, string | null>
  /** A stable key of `values`. */
  key: string
  /** The rows, without the partition columns. */
  table: Table
}

/**
 * Split a batch by the values of its partition columns and drop those columns: data files of a
 * partitioned table hold only data columns, the values live in the log.
 */
export function splitByPartition(batch: RecordBatch, partitionFields: readonly StructField[]): PartitionSlice[] {
  const table = new Table([batch])
  const dataColumns = table.schema.fields.map((f) => f.name).filter((n) => !partitionFields.some((p) => p.name === n))
  if (partitionFields.length === 0) return [{ values: {}, key: '', table }]
  const columns = partitionFields.map((f) => partitionCodes(makeValueReader(resolveColumnChunks(table, [f.name])[0]!, f.type), batch.numRows, f))
  const { group, count, firstRow } = combineCodes(columns.map((c) => c.codes), columns.map((c) => c.texts.length), batch.numRows)
  const groups = Array.from({ length: count }, (_, g) => {
    const serialized = columns.map((c) => c.texts[c.codes[firstRow[g]!]!]!)
    return { values: Object.fromEntries(partitionFields.map((f, j) => [f.name, serialized[j]!])), key: JSON.stringify(serialized) }
  })
  const data = table.select(dataColumns)
  if (count === 1) return [{ ...groups[0]!, table: data }]
  const rows = rowsByGroup(group, count)
  return groups.map((g, i) => ({ ...g, table: takeRows(data, rows[i]!) }))
}

/**
 * Each row's partition value as a small code, numbered in order of first appearance, with the
 * text of each code. Each distinct raw value is formatted once (not once per row), and raw
 * values that format alike (null and '', say) share a code, as they share a partition.
 */
function partitionCodes(read: (i: number) => Scalar | null, length: number, field: StructField): { codes: Int32Array; texts: (string | null)[] } {
  const byRaw = new Map<unknown, number>()
  const byText = new Map<string | null, number>()
  const texts: (string | null)[] = []
  const codes = new Int32Array(length)
  for (let i = 0; i < length; i++) {
    const raw = read(i)
    // Map keys compare by SameValueZero: -0 would join 0, and byte arrays by identity.
    const key = raw instanceof Uint8Array ? formatPartitionValue(raw, field.type) : Object.is(raw, -0) ? '-0' : raw
    let code = byRaw.get(key)
    if (code === undefined) {
      const text = formatPartitionValue(raw, field.type)
      code = byText.get(text)
      if (code === undefined) {
        code = texts.length
        texts.push(text)
        byText.set(text, code)
      }
      byRaw.set(key, code)
    }
    codes[i] = code
  }
  return { codes, texts }
}

/**
 * One group id per row for the combination of its codes, numbered in order of first
 * appearance, folding one column at a time (ids stay below the row count, so the pairs fit
 * exactly in a double), with the first row of each group.
 */
function combineCodes(codes: Int32Array[], sizes: number[], length: number): { group: Int32Array; count: number; firstRow: number[] } {
  let group = codes[0]!
  let count = sizes[0]!
  for (let j = 1; j < codes.length; j++) {
    const next = new Int32Array(length)
    const dense = new Map<number, number>()
    const width = sizes[j]!
    for (let i = 0; i < length; i++) {
      const pair = group[i]! * width + codes[j]![i]!
      let id = dense.get(pair)
      if (id === undefined) {
        id = dense.size
        dense.set(pair, id)
      }
      next[i] = id
    }
    group = next
    count = dense.size
  }
  const firstRow = new Array<number>(count).fill(-1)
  for (let i = 0; i < length; i++) if (firstRow[group[i]!] === -1) firstRow[group[i]!] = i
  return { group, count, firstRow }
}

/** The row numbers of each group, in row order. */
function rowsByGroup(group: Int32Array, count: number): Int32Array[] {
  const sizes = new Int32Array(count)
  for (const g of group) sizes[g]!++
  const out = Array.from(sizes, (n) => new Int32Array(n))
  const filled = new Int32Array(count)
  for (let i = 0; i < group.length; i++) {
    const g = group[i]!
    out[g]![filled[g]!++] = i
  }
  return out
}

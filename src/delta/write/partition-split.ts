import { Table, type RecordBatch } from 'apache-arrow'
import { takeRows } from '../arrow/index.js'
import { resolveColumnChunks } from '../expr/arrow-columns.js'
import { makeValueReader } from '../expr/readers.js'
import { formatPartitionValue } from '../partition-value.js'
import type { StructField } from '../schema.js'

/** The rows of a batch that share one set of partition values. */
export interface PartitionSlice {
  /** Serialized partition values by column name, as the log stores them. */
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
  const readers = partitionFields.map((f) => makeValueReader(resolveColumnChunks(table, [f.name])[0]!, f.type))
  const groups = new Map<string, { values: Record<string, string | null>; rows: number[] }>()
  for (let i = 0; i < batch.numRows; i++) {
    const serialized = partitionFields.map((f, j) => formatPartitionValue(readers[j]!(i), f.type))
    const key = JSON.stringify(serialized)
    let g = groups.get(key)
    if (!g) {
      g = { values: Object.fromEntries(partitionFields.map((f, j) => [f.name, serialized[j]!])), rows: [] }
      groups.set(key, g)
    }
    g.rows.push(i)
  }
  const data = table.select(dataColumns)
  if (groups.size === 1) {
    const [key, g] = groups.entries().next().value!
    return [{ values: g.values, key, table: data }]
  }
  return [...groups].map(([key, g]) => ({ values: g.values, key, table: takeRows(data, Int32Array.from(g.rows)) }))
}

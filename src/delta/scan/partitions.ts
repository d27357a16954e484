import type { Snapshot } from '../log/snapshot.js'
import { partitionFields, rawPartitionValue } from './plan.js'

/**
 * The distinct partition values of the active files, in the order first seen, keyed by logical
 * column name (as the schema spells it) and written as the log writes them (strings, `null` for
 * null). Values are looked up as scans look them up ({@link rawPartitionValue}). An
 * unpartitioned table with files has one partition: `{}`.
 */
export function distinctPartitions(snapshot: Pick<Snapshot, 'files' | 'schema' | 'metadata' | 'columnMapping'>): Record<string, string | null>[] {
  const fields = partitionFields(snapshot)
  const seen = new Map<string, Record<string, string | null>>()
  for (const add of snapshot.files) {
    const values = fields.map((field) => rawPartitionValue(snapshot, add, field))
    const key = JSON.stringify(values)
    if (!seen.has(key)) seen.set(key, Object.fromEntries(fields.map((field, i) => [field.name, values[i]!])))
  }
  return [...seen.values()]
}

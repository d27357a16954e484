import type { Snapshot } from '../log/snapshot.js'
import { physicalName } from '../features/column-mapping.js'

/**
 * The distinct partition values of the active files, in the order first seen, keyed by logical
 * column name and written as the log writes them (strings, `null` for null). An unpartitioned
 * table with files has one partition: `{}`.
 */
export function distinctPartitions(snapshot: Pick<Snapshot, 'files' | 'schema' | 'metadata' | 'columnMapping'>): Record<string, string | null>[] {
  const columns = snapshot.metadata.partitionColumns.map((name) => {
    const field = snapshot.schema.fields.find((f) => f.name === name)
    return { name, key: field ? physicalName(field, snapshot.columnMapping) : name }
  })
  const seen = new Map<string, Record<string, string | null>>()
  for (const add of snapshot.files) {
    const values = columns.map((c) => add.partitionValues[c.key] ?? null)
    const key = JSON.stringify(values)
    if (!seen.has(key)) seen.set(key, Object.fromEntries(columns.map((c, i) => [c.name, values[i]!])))
  }
  return [...seen.values()]
}

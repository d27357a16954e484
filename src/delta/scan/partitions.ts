import type { Scalar } from '../model/scalar.js'
import type { Snapshot } from '../log/snapshot.js'
import { partitionKeysOf, partitionValuesOf, rawPartitionValues } from './plan.js'

/**
 * The distinct partition values of the active files, in the order first seen, keyed by logical
 * column name (as the schema spells it) and written as the log writes them (strings, `null` for
 * null). Values are looked up as scans look them up ({@link partitionKeysOf}). Partitions are
 * told apart by their typed values, so one written in two spellings (a timestamp as
 * `2024-01-01 10:00:00` by an older writer and as `2024-01-01T10:00:00.000000Z` by a newer
 * one) is one partition, shown as first seen. An unpartitioned table with files has one
 * partition: `{}`.
 */
export function distinctPartitions(snapshot: Pick<Snapshot, 'files' | 'schema' | 'metadata' | 'columnMapping'>): Record<string, string | null>[] {
  const names = partitionKeysOf(snapshot).map((k) => k.field.name)
  const seen = new Map<string, Record<string, string | null>>()
  for (const add of snapshot.files) {
    const key = [...partitionValuesOf(snapshot, add).values()].map(scalarKey).join('\u0000')
    if (seen.has(key)) continue
    const raw = rawPartitionValues(snapshot, add)
    seen.set(key, Object.fromEntries(names.map((name, i) => [name, raw[i]!])))
  }
  return [...seen.values()]
}

/** A text that tells typed values of one column apart (-0 from 0, null from every value). */
function scalarKey(v: Scalar | null): string {
  if (v === null) return 'null'
  if (typeof v === 'string') return JSON.stringify(v)
  if (v instanceof Uint8Array) return `b${Array.from(v).join(',')}`
  if (typeof v === 'number' && Object.is(v, -0)) return '-0'
  return String(v)
}

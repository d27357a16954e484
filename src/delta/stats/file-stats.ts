import type { AddAction } from '../model/actions.js'
import type { StructType } from '../model/schema.js'
import { parseStats, parsedStatsFromStruct, type ParsedStats } from './parse.js'
import { fieldsAlong, physicalName, type ColumnMappingMode } from '../features/column-mapping.js'

const cache = new WeakMap<AddAction, ParsedStats | null>()

/**
 * The statistics of a file, keyed for lookups by logical column path (the log keys them by
 * physical name under column mapping). Parsed on first use and kept with the action.
 */
export function fileStats(snapshot: { schema: StructType; columnMapping: ColumnMappingMode }, add: AddAction): ParsedStats | undefined {
  const hit = cache.get(add)
  if (hit !== undefined) return hit ?? undefined
  const opts = { physicalPath: (p: readonly string[]) => statsPath(snapshot.schema, p, snapshot.columnMapping) }
  const text = add.stats
  const stats = text ? parseStats(text, opts) : parsedStatsFromStruct(add.statsParsed, opts)
  cache.set(add, stats ?? null)
  return stats
}

/**
 * The physical names under which the stats of a logical column path are stored, or undefined
 * when the path is not there or its type was widened: stats written before a type change hold
 * the old type, and reading a float max as a double could wrongly skip a file.
 */
export function statsPath(schema: StructType, path: readonly string[], mode: ColumnMappingMode): string[] | undefined {
  const fields = fieldsAlong(schema, path)
  if (!fields || fields.some((f) => f.metadata['delta.typeChanges'] !== undefined)) return undefined
  return fields.map((f) => physicalName(f, mode))
}

import type { AddAction } from '../model/actions.js'
import type { StructField, StructType } from '../model/schema.js'
import { parseStats, parsedStatsFromStruct, type ParsedStats } from './parse.js'
import type { ColumnMappingMode } from '../features/table-features.js'

const cache = new WeakMap<AddAction, ParsedStats | null>()

/**
 * The statistics of a file, keyed for lookups by logical column path (the log keys them by
 * physical name under column mapping). Parsed on first use and kept with the action.
 */
export function fileStats(snapshot: { schema: StructType; columnMapping: ColumnMappingMode }, add: AddAction): ParsedStats | undefined {
  const hit = cache.get(add)
  if (hit !== undefined) return hit ?? undefined
  const opts = { physicalPath: (p: readonly string[]) => physicalPath(snapshot.schema, p, snapshot.columnMapping) }
  const text = add.stats
  const stats = text ? parseStats(text, opts) : parsedStatsFromStruct(add.statsParsed, opts)
  cache.set(add, stats ?? null)
  return stats
}

/**
 * The physical names along a logical column path, or undefined when the path is not there or
 * its type was widened: stats written before a type change hold the old type, and reading a
 * float max as a double could wrongly skip a file.
 */
export function physicalPath(schema: StructType, path: readonly string[], mode: ColumnMappingMode): string[] | undefined {
  const out: string[] = []
  let struct: StructType | undefined = schema
  for (const name of path) {
    const field: StructField | undefined = struct?.fields.find((f) => f.name === name)
    if (!field || field.metadata['delta.typeChanges'] !== undefined) return undefined
    const p = field.metadata['delta.columnMapping.physicalName']
    out.push(mode !== 'none' && typeof p === 'string' ? p : name)
    struct = typeof field.type === 'object' && field.type.type === 'struct' ? field.type : undefined
  }
  return out
}

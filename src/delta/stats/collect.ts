import type { Table } from 'apache-arrow'
import { physicalName, type ColumnMappingMode } from '../features/column-mapping.js'
import type { DeltaType, PrimitiveType, StructField, StructType } from '../model/schema.js'
import { indexedFields, type IndexedColumnsOptions } from './collect-columns.js'
import { formatStatValue, truncateMaxString, truncateMinString } from './collect-format.js'
import { collectLeafStats } from './collect-values.js'

export { DEFAULT_NUM_INDEXED_COLS, parseColumnPath } from './collect-columns.js'

/** Options of {@link collectStats}. */
export interface CollectStatsOptions extends IndexedColumnsOptions {
  /** The table's column mapping mode: stats are keyed by physical names under `name`/`id`. */
  columnMapping: ColumnMappingMode
  /**
   * Add `"tightBounds": true` (what Spark writes on tables that support deletion vectors: the
   * bounds are exact for the rows of the file as written).
   */
  tightBounds?: boolean
}

/** The three per-column sections of the stats, as lists of `"key":value` JSON members. */
interface Sections {
  min: string[]
  max: string[]
  nulls: string[]
  /** Some field below has min/max stats in principle (even if every value is null). */
  bounded: boolean
}

// The types Spark keeps min/max for (its SkippingEligibleDataType); the rest get null counts only.
const BOUNDED = new Set<string>(['byte', 'short', 'integer', 'long', 'float', 'double', 'string', 'date', 'timestamp', 'timestamp_ntz'])

function hasBounds(type: DeltaType): type is PrimitiveType {
  return typeof type === 'string' && (BOUNDED.has(type) || type.startsWith('decimal('))
}

/**
 * The `stats` JSON of an `add` action for the rows of one data file, shaped as Spark writes it
 * so every engine can skip on it: `{"numRecords":n,"minValues":{...},"maxValues":{...},
 * "nullCount":{...}}`, keyed by physical names, nested structs as nested objects, columns in
 * schema order. `table` has the logical names and canonical Arrow types (`toArrowType`) of
 * `schema` (the data columns, partition columns left out). Only the indexed columns
 * (`numIndexedCols` / `statsColumns`) get stats; every one of them a null count, and numbers,
 * decimals, strings, dates and timestamps also a min and max (booleans, binaries, arrays and
 * maps have none, as in Spark). A column with no value in the file has no min or max. Values are
 * written in Spark's exact forms (see `formatStatValue`); strings are cut to 32 characters as
 * delta-spark cuts them (`truncateMinString` / `truncateMaxString`).
 */
export function collectStats(table: Table, schema: StructType, opts: CollectStatsOptions): string {
  const s = collectSections(table, indexedFields(schema, opts), [], opts.columnMapping)
  const parts = [`"numRecords":${table.numRows}`]
  if (s.bounded) parts.push(`"minValues":{${s.min.join(',')}}`, `"maxValues":{${s.max.join(',')}}`)
  if (s.nulls.length > 0) parts.push(`"nullCount":{${s.nulls.join(',')}}`)
  if (opts.tightBounds) parts.push('"tightBounds":true')
  return `{${parts.join(',')}}`
}

function collectSections(table: Table, fields: readonly StructField[], parent: readonly string[], mode: ColumnMappingMode): Sections {
  const out: Sections = { min: [], max: [], nulls: [], bounded: false }
  for (const f of fields) {
    const key = JSON.stringify(physicalName(f, mode))
    const path = [...parent, f.name]
    if (typeof f.type !== 'string' && f.type.type === 'struct') {
      const inner = collectSections(table, f.type.fields, path, mode)
      if (inner.bounded) {
        out.bounded = true
        out.min.push(`${key}:{${inner.min.join(',')}}`)
        out.max.push(`${key}:{${inner.max.join(',')}}`)
      }
      if (inner.nulls.length > 0) out.nulls.push(`${key}:{${inner.nulls.join(',')}}`)
      continue
    }
    const type = f.type
    const stats = collectLeafStats(table, path, type, hasBounds(type))
    out.nulls.push(`${key}:${stats.nullCount}`)
    if (!hasBounds(type)) continue
    out.bounded = true
    const min = stats.min === undefined ? undefined : type === 'string' ? truncateMinString(stats.min as string) : stats.min
    const max = stats.max === undefined ? undefined : type === 'string' ? truncateMaxString(stats.max as string) : stats.max
    if (min !== undefined) out.min.push(`${key}:${formatStatValue(min, type)}`)
    if (max !== undefined) out.max.push(`${key}:${formatStatValue(max, type)}`)
  }
  return out
}

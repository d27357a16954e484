import { DeltaError } from '../engine/errors.js'
import type { StructField, StructType } from '../model/schema.js'

/** Which columns get statistics, as the table properties say. */
export interface IndexedColumnsOptions {
  /**
   * `delta.dataSkippingNumIndexedCols`: the first this many leaf columns in schema order (a
   * struct's fields count one by one; an array or map counts as one). Negative: all. Default 32.
   */
  numIndexedCols?: number
  /**
   * `delta.dataSkippingStatsColumns`, split at top-level commas: column paths (`a`, `a.b`,
   * `` `a.b`.c `` for names with dots), matched case-insensitively. A struct means all its
   * fields. When given, it replaces `numIndexedCols`.
   */
  statsColumns?: readonly string[]
}

/** Spark's and delta-rs's default `delta.dataSkippingNumIndexedCols`. */
export const DEFAULT_NUM_INDEXED_COLS = 32

/**
 * The part of the schema that gets statistics: the schema pruned to the indexed columns, with
 * field metadata kept (physical names). Follows delta-spark's StatisticsCollection: a list of
 * stats columns wins over a count; a count takes leaves in schema order, descending into
 * structs.
 */
export function indexedFields(schema: StructType, opts: IndexedColumnsOptions): StructField[] {
  if (opts.statsColumns !== undefined) {
    return filterFields(schema.fields, opts.statsColumns.map(parseColumnPath).map((p) => p.map((n) => n.toLowerCase())))
  }
  const n = opts.numIndexedCols ?? DEFAULT_NUM_INDEXED_COLS
  if (!Number.isInteger(n)) {
    throw new DeltaError('InvalidArgument', `delta.dataSkippingNumIndexedCols must be a whole number (or -1 for all columns), not ${n}`)
  }
  return n < 0 ? schema.fields : truncateFields(schema.fields, n).fields
}

/** The first `budget` leaves of `fields`, and how many leaves that took. */
function truncateFields(fields: readonly StructField[], budget: number): { fields: StructField[]; used: number } {
  const out: StructField[] = []
  let used = 0
  for (const f of fields) {
    if (used >= budget) break
    if (typeof f.type !== 'string' && f.type.type === 'struct') {
      const inner = truncateFields(f.type.fields, budget - used)
      used += inner.used
      out.push({ ...f, type: { ...f.type, fields: inner.fields } })
    } else {
      used += 1
      out.push(f)
    }
  }
  return { fields: out, used }
}

/** The fields named by `paths` (lower-cased parts): whole fields, or the named parts of structs. */
function filterFields(fields: readonly StructField[], paths: readonly string[][]): StructField[] {
  const out: StructField[] = []
  for (const f of fields) {
    const tails = paths.filter((p) => p[0] === f.name.toLowerCase()).map((p) => p.slice(1))
    if (tails.length === 0) continue
    if (tails.some((t) => t.length === 0)) {
      out.push(f)
    } else if (typeof f.type !== 'string' && f.type.type === 'struct') {
      out.push({ ...f, type: { ...f.type, fields: filterFields(f.type.fields, tails) } })
    }
  }
  return out
}

/**
 * The parts of a column path: dots separate parts, except inside backquotes, where a doubled
 * backquote is a literal one (`` `a.b`.c `` is ['a.b', 'c']). `InvalidArgument` when malformed.
 */
export function parseColumnPath(text: string): string[] {
  const parts: string[] = []
  let current = ''
  let quoted = false
  let wasQuoted = false
  const t = text.trim()
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!
    if (quoted) {
      if (c !== '`') current += c
      else if (t[i + 1] === '`') current += t[++i]
      else quoted = false
    } else if (c === '`') {
      quoted = true
      wasQuoted = true
    } else if (c === '.') {
      parts.push(wasQuoted ? current : current.trim())
      current = ''
      wasQuoted = false
    } else {
      current += c
    }
  }
  parts.push(wasQuoted ? current : current.trim())
  if (quoted || parts.some((p) => p === '')) {
    throw new DeltaError('InvalidArgument', `'${text}' in delta.dataSkippingStatsColumns is not a column path; write parts separated by dots, quoting names that contain dots in backquotes`)
  }
  return parts
}

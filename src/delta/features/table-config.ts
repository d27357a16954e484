/**
 * Table properties (`metaData.configuration`) that change what readers and writers do, read in
 * one place so that every operation parses a property the same way.
 */

/** The table's configuration, as `metaData.configuration` holds it. */
export type TableConfiguration = Readonly<Record<string, string>>

/** Table property: commits may only add data (PROTOCOL.md, Append-only Tables). */
export const APPEND_ONLY_KEY = 'delta.appendOnly'
/** Table property: writers record changed rows for the change data feed. */
export const CHANGE_DATA_FEED_KEY = 'delta.enableChangeDataFeed'
/** Table property: commits carry in-commit timestamps. */
export const IN_COMMIT_TIMESTAMPS_KEY = 'delta.enableInCommitTimestamps'
/** Table property: the version from which commits carry in-commit timestamps. */
export const IN_COMMIT_TIMESTAMP_ENABLEMENT_VERSION_KEY = 'delta.inCommitTimestampEnablementVersion'
/** Table property: checkpoints delete expired log files (true when unset). */
export const EXPIRED_LOG_CLEANUP_KEY = 'delta.enableExpiredLogCleanup'
/** Table property: a schema merge may widen column types. */
export const TYPE_WIDENING_KEY = 'delta.enableTypeWidening'
/** Table property: checkpoints keep each file's stats as JSON text (true when unset). */
export const CHECKPOINT_STATS_AS_JSON_KEY = 'delta.checkpoint.writeStatsAsJson'
/** Table property: checkpoints also keep stats and partition values as structs. */
export const CHECKPOINT_STATS_AS_STRUCT_KEY = 'delta.checkpoint.writeStatsAsStruct'
/** Table property: how many leaf columns, in schema order, get file statistics. */
export const NUM_INDEXED_COLS_KEY = 'delta.dataSkippingNumIndexedCols'
/** Table property: the columns that get file statistics, comma-separated; wins over the count. */
export const STATS_COLUMNS_KEY = 'delta.dataSkippingStatsColumns'

/**
 * A boolean table property: `true` and `false` count whatever their case, as in Spark, and
 * blanks around them are ignored; unset (or any other value) gives `fallback`, the property's
 * default, so an unreadable value never turns on a behaviour that is off by default.
 */
export function booleanProperty(configuration: TableConfiguration, key: string, fallback = false): boolean {
  const value = configuration[key]
  if (typeof value !== 'string') return fallback
  switch (value.trim().toLowerCase()) {
    case 'true': return true
    case 'false': return false
    default: return fallback
  }
}

/** Which columns of a data file get statistics, as the table configures it. */
export interface StatsSettings {
  /** `delta.dataSkippingNumIndexedCols`, when set (checked where the stats are collected). */
  numIndexedCols?: number
  /** `delta.dataSkippingStatsColumns` split at commas, when set. */
  statsColumns?: string[]
}

/**
 * The statistics settings of the table: every writer of data files (writes, and the files a
 * delete rewrites) collects the stats they name, so skipping sees the same columns everywhere.
 */
export function statsSettings(configuration: TableConfiguration): StatsSettings {
  const n = configuration[NUM_INDEXED_COLS_KEY]
  const cols = configuration[STATS_COLUMNS_KEY]
  return {
    numIndexedCols: n === undefined ? undefined : Number(n),
    statsColumns: cols === undefined ? undefined : cols.split(',').map((c) => c.trim()).filter(Boolean),
  }
}

import { DeltaError } from '../engine/errors.js'
import { checkOptions, checkPredicate, type OptionChecks } from '../ops/check-options.js'
import { parseTimestampText } from '../values/temporal.js'

/**
 * What to read of the change data feed, as delta-rs's `DeltaTable.load_cdf`: a range of
 * versions, each end given by version or by time (not both), some table columns, some rows.
 * The log is read up to the end of the range whatever version the table object is at.
 */
export interface ChangesOptions {
  /**
   * The first version to read, inclusive. 0 when neither it nor `startingTimestamp` is given.
   * Past the latest version it is `InvalidArgument`, or an empty result with `allowOutOfRange`.
   */
  startVersion?: number
  /**
   * The last version to read, inclusive; the latest when neither it nor `endingTimestamp` is
   * given. Past the latest version it is `InvalidArgument`, or the latest with `allowOutOfRange`.
   */
  endVersion?: number
  /**
   * Start at the first commit made at or after this time: a Date, or ISO 8601 text such as
   * `2024-05-01T12:00:00Z` (text without a zone is UTC). A commit's time is its in-commit
   * timestamp where the table records them, else its log file's modification time. After the
   * latest commit it is `InvalidArgument`, or an empty result with `allowOutOfRange`.
   */
  startingTimestamp?: Date | string
  /**
   * End at the last commit made at or before this time (read as `startingTimestamp` is). A time
   * after the latest commit ends at the latest; one before the first commit in the log is
   * `InvalidArgument`, or an empty result with `allowOutOfRange`.
   */
  endingTimestamp?: Date | string
  /**
   * Only these table columns, in this order, followed by the change columns `_change_type`,
   * `_commit_version` and `_commit_timestamp`, which are always kept (naming them here changes
   * nothing). Every table column when omitted; an unknown name is `InvalidArgument`.
   */
  columns?: string[]
  /**
   * Keep only the rows where this filter is TRUE, in the library's filter language over the
   * table columns and the change columns, such as `"_change_type = 'delete' AND region = 'eu'"`.
   * Change files whose partition values, version, time or kind of change rule every row out
   * are not read at all.
   */
  predicate?: string
  /**
   * As delta-rs: when true, a start after the latest version (or a starting time after the
   * latest commit), or a range that ends before it starts, gives an empty table with the
   * result's columns instead of `InvalidArgument`, and an end after the latest version reads up
   * to the latest. False by default.
   */
  allowOutOfRange?: boolean
  /** Cancels the read: every storage request gets it, and the read rejects with `Cancelled`. */
  signal?: AbortSignal
}

/** Checked change options: times as milliseconds since the epoch (fractions keep microseconds). */
export interface ChangeRequest {
  startVersion?: number
  endVersion?: number
  startingTime?: number
  endingTime?: number
  columns?: string[]
  predicate?: string
  allowOutOfRange: boolean
}

const CHANGES_OPTIONS: OptionChecks = {
  startVersion: checkVersion,
  endVersion: checkVersion,
  startingTimestamp: (v, key) => { timestampMillis(v, key) },
  endingTimestamp: (v, key) => { timestampMillis(v, key) },
  columns: (v, key) => {
    if (!Array.isArray(v) || !v.every((c) => typeof c === 'string')) refuse(key, v, 'an array of column names')
  },
  predicate: (v, key) => checkPredicate(v, `option '${key}'`),
  allowOutOfRange: (v, key) => {
    if (typeof v !== 'boolean') refuse(key, v, 'true or false')
  },
  signal: (v, key) => {
    if (typeof v !== 'object' || v === null || typeof (v as AbortSignal).aborted !== 'boolean') refuse(key, v, 'an AbortSignal')
  },
}

/**
 * Check the options of a change read before anything is read: unknown or ill-typed options,
 * and a version and a time given for the same end, are `InvalidArgument`.
 */
export function checkChangesOptions(opts: unknown): ChangeRequest {
  checkOptions('changes', opts, CHANGES_OPTIONS)
  const o = (opts ?? {}) as ChangesOptions
  if (o.startVersion !== undefined && o.startingTimestamp !== undefined) {
    throw new DeltaError('InvalidArgument', 'give either startVersion or startingTimestamp to read changes, not both')
  }
  if (o.endVersion !== undefined && o.endingTimestamp !== undefined) {
    throw new DeltaError('InvalidArgument', 'give either endVersion or endingTimestamp to read changes, not both')
  }
  return {
    startVersion: o.startVersion,
    endVersion: o.endVersion,
    startingTime: o.startingTimestamp === undefined ? undefined : timestampMillis(o.startingTimestamp, 'startingTimestamp'),
    endingTime: o.endingTimestamp === undefined ? undefined : timestampMillis(o.endingTimestamp, 'endingTimestamp'),
    columns: o.columns,
    predicate: o.predicate,
    allowOutOfRange: o.allowOutOfRange ?? false,
  }
}

function checkVersion(v: unknown, key: string): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) refuse(key, v, 'a version number (a whole number, 0 or more)')
}

/** A Date or ISO 8601 text as ms since the epoch; text without a zone is UTC, as in delta-rs. */
function timestampMillis(v: unknown, key: string): number {
  if (v instanceof Date) {
    const ms = v.getTime()
    if (Number.isFinite(ms)) return ms
  } else if (typeof v === 'string') {
    const parsed = parseTimestampText(v)
    if (parsed) return Number(parsed.micros) / 1000
  }
  return refuse(key, v, 'a valid Date or ISO 8601 text such as 2024-05-01T12:00:00Z')
}

function refuse(key: string, v: unknown, accepted: string): never {
  const shown = typeof v === 'string' ? `'${v}'` : v instanceof Date ? 'an invalid Date' : Array.isArray(v) ? 'an array' : typeof v === 'object' && v !== null ? 'an object' : String(v)
  throw new DeltaError('InvalidArgument', `option '${key}' is ${shown}; it takes ${accepted}`)
}

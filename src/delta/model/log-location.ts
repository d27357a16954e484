import { DeltaError } from '../engine/errors.js'

/**
 * Where an action is read from: a log file and, for a commit or JSON checkpoint, its 1-based
 * line, or for a Parquet checkpoint its 0-based row. Parsers keep one such object per file and
 * move it along, so that a valid log costs no object per action; messages are built only when
 * something is wrong.
 */
export interface LogLocation {
  file: string
  line?: number
  row?: number
}

/** `file line 3`, `file row 17` or `file`: how messages name a place in the log. */
export function describeLocation(at: LogLocation | string): string {
  if (typeof at === 'string') return at
  if (at.line !== undefined) return `${at.file} line ${at.line}`
  if (at.row !== undefined) return `${at.file} row ${at.row}`
  return at.file
}

const REPAIR_HINT = 'the log file is damaged or its writer broke the Delta protocol: restore the file from a copy, or have the writer fixed and the table rewritten'

/**
 * The error for a log file that does not follow the protocol, naming the file (and line or row)
 * and what to do.
 */
export function invalidLog(at: LogLocation | string, why: string, cause?: unknown): DeltaError {
  return new DeltaError('InvalidLog', `${describeLocation(at)}: ${why} (${REPAIR_HINT})`, cause === undefined ? undefined : { cause })
}

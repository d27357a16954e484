/** The kinds of files found directly in `_delta_log`. */
export type LogFile =
  | { kind: 'commit'; version: number; name: string }
  | { kind: 'checkpoint'; version: number; name: string; format: 'classic' }
  | { kind: 'checkpoint'; version: number; name: string; format: 'multipart'; part: number; parts: number }
  | { kind: 'checkpoint'; version: number; name: string; format: 'uuid'; uuid: string; ext: 'json' | 'parquet' }
  | { kind: 'compaction'; version: number; endVersion: number; name: string }
  | { kind: 'crc'; version: number; name: string }

/** The folder of the transaction log, relative to the table root. */
export const LOG_DIR = '_delta_log'

const COMMIT = /^(\d{20})\.json$/
const CLASSIC = /^(\d{20})\.checkpoint\.parquet$/
const MULTIPART = /^(\d{20})\.checkpoint\.(\d{10})\.(\d{10})\.parquet$/
const UUID_CP = /^(\d{20})\.checkpoint\.([0-9a-fA-F-]{36})\.(json|parquet)$/
const COMPACTION = /^(\d{20})\.(\d{20})\.compacted\.json$/
const CRC = /^(\d{20})\.crc$/

/** Classify a file name of `_delta_log`; undefined for anything else (temp files, `_last_checkpoint`). */
export function parseLogFileName(name: string): LogFile | undefined {
  let m = COMMIT.exec(name)
  if (m) return { kind: 'commit', version: Number(m[1]), name }
  m = CLASSIC.exec(name)
  if (m) return { kind: 'checkpoint', version: Number(m[1]), name, format: 'classic' }
  m = MULTIPART.exec(name)
  if (m) return { kind: 'checkpoint', version: Number(m[1]), name, format: 'multipart', part: Number(m[2]), parts: Number(m[3]) }
  m = UUID_CP.exec(name)
  if (m) return { kind: 'checkpoint', version: Number(m[1]), name, format: 'uuid', uuid: m[2]!, ext: m[3] as 'json' | 'parquet' }
  m = COMPACTION.exec(name)
  if (m) return { kind: 'compaction', version: Number(m[1]), endVersion: Number(m[2]), name }
  m = CRC.exec(name)
  if (m) return { kind: 'crc', version: Number(m[1]), name }
  return undefined
}

/** A version zero-padded to the 20 digits of log file names. */
export function padVersion(version: number): string {
  return String(version).padStart(20, '0')
}

/** The path of the commit file of `version`, relative to the table root. */
export function commitPath(version: number): string {
  return `${LOG_DIR}/${padVersion(version)}.json`
}

/** The path of the classic checkpoint of `version`, relative to the table root. */
export function classicCheckpointPath(version: number): string {
  return `${LOG_DIR}/${padVersion(version)}.checkpoint.parquet`
}

/** The path of `_last_checkpoint`, relative to the table root. */
export const LAST_CHECKPOINT_PATH = `${LOG_DIR}/_last_checkpoint`

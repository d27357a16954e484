import { parseCommit, type CommitInfoAction } from '../model/actions.js'
import type { Engine } from '../engine/engine.js'
import { isDeltaError } from '../engine/errors.js'
import { commitPath } from '../log/log-path.js'
import { findCommitInfo } from '../log/replay.js'
import { booleanProperty, IN_COMMIT_TIMESTAMPS_KEY } from '../features/table-config.js'
import type { Snapshot } from '../log/snapshot.js'
import type { IsolationLevel } from './conflict.js'

/** The name this library writes into commitInfo, as Spark and delta-rs name themselves. */
export const ENGINE_INFO = 'deltalake-web/0.1.0'

/** Everything a commitInfo says about the commit it heads. */
/** One value of commitInfo's `operationMetrics`: a count mostly; delta-rs also records JSON text and flags. */
export type OperationMetric = number | string | boolean

export interface CommitInfoFields {
  operation: string
  operationParameters: Record<string, unknown>
  /** Counts such as numAddedFiles or numDeletedRows (and the odd JSON text or flag delta-rs records); left out when empty. */
  operationMetrics: Record<string, OperationMetric>
  /** The version the operation read; undefined when it created the table. */
  readVersion: number | undefined
  isolationLevel: IsolationLevel
  isBlindAppend: boolean
  txnId: string
  /** `commitProperties.customMetadata`, merged in. */
  customMetadata?: Record<string, unknown>
}

/** The commitInfo fields the library writes itself; custom metadata never replaces them. */
export const RESERVED_COMMIT_INFO_KEYS: ReadonlySet<string> = new Set([
  'timestamp', 'inCommitTimestamp', 'operation', 'operationParameters', 'operationMetrics', 'readVersion',
  'isolationLevel', 'isBlindAppend', 'engineInfo', 'clientVersion', 'txnId',
])

/**
 * The commitInfo of a commit, with the fields Spark and delta-rs write, custom metadata merged
 * under them. The timestamp (and the in-commit timestamp, when the table has them) is stamped
 * again at each commit attempt.
 */
export function buildCommitInfo(fields: CommitInfoFields): CommitInfoAction {
  return {
    kind: 'commitInfo',
    info: {
      ...fields.customMetadata,
      timestamp: Date.now(),
      operation: fields.operation,
      operationParameters: fields.operationParameters,
      ...(Object.keys(fields.operationMetrics).length > 0 && { operationMetrics: fields.operationMetrics }),
      ...(fields.readVersion !== undefined && { readVersion: fields.readVersion }),
      isolationLevel: fields.isolationLevel,
      isBlindAppend: fields.isBlindAppend,
      engineInfo: ENGINE_INFO,
      clientVersion: ENGINE_INFO,
      txnId: fields.txnId,
    },
  }
}

/**
 * What the next commit's in-commit timestamp must exceed, when the table as committed has them
 * enabled (`delta.enableInCommitTimestamps`): the in-commit timestamp of the snapshot's own
 * version, or nothing before the first commit. A snapshot that starts on a checkpoint read no
 * commit file for its version, so that one commit file is read here. When it is gone too (its
 * log cleaned up) or carries no in-commit timestamp, nothing bounds the next one but the clock.
 */
export async function inCommitTimestampAfter(
  engine: Engine, configuration: Readonly<Record<string, string>>, current: Snapshot | undefined,
): Promise<number | undefined> {
  if (!booleanProperty(configuration, IN_COMMIT_TIMESTAMPS_KEY)) return undefined
  if (!current) return 0
  const info = (current.commitInfos.get(current.version) ?? await readCommitInfo(engine, current.version))?.info
  return typeof info?.inCommitTimestamp === 'number' ? info.inCommitTimestamp : 0
}

/** The commitInfo of the commit file of `version`, or undefined when the file is gone. */
async function readCommitInfo(engine: Engine, version: number): Promise<CommitInfoAction | undefined> {
  const path = commitPath(version)
  try {
    return findCommitInfo(parseCommit(await engine.storage.read(path), path))
  } catch (e) {
    if (isDeltaError(e, 'NotFound')) return undefined
    throw e
  }
}

import type { AddAction, CommitInfoAction, RemoveAction } from '../model/actions.js'
import type { Snapshot } from '../log/snapshot.js'
import type { WriteOptions } from '../write/write-options.js'

/** The name this library writes into commitInfo, as Spark and delta-rs name themselves. */
export const ENGINE_INFO = 'deltalake-web/0.1.0'

/** The commitInfo of an operation, with the fields Spark and delta-rs write. */
export function commitInfoAction(
  operation: string, operationParameters: Record<string, unknown>, readVersion: number | undefined,
  opts: Pick<WriteOptions, 'isolationLevel' | 'commitProperties'>, isBlindAppend: boolean,
): CommitInfoAction {
  return {
    kind: 'commitInfo',
    info: {
      timestamp: Date.now(),
      operation,
      operationParameters,
      ...(readVersion !== undefined && { readVersion }),
      isolationLevel: opts.isolationLevel ?? 'WriteSerializable',
      isBlindAppend,
      engineInfo: ENGINE_INFO,
      clientVersion: ENGINE_INFO,
      txnId: globalThis.crypto.randomUUID(),
      ...(opts.commitProperties?.customMetadata ?? {}),
    },
  }
}

/** The remove action that takes an active file out of the table. */
export function removeOf(add: AddAction, dataChange = true): RemoveAction {
  return {
    kind: 'remove',
    path: add.path,
    deletionTimestamp: Date.now(),
    dataChange,
    extendedFileMetadata: true,
    partitionValues: add.partitionValues,
    size: add.size,
    stats: add.stats ?? null,
    tags: add.tags ?? null,
    deletionVector: add.deletionVector ?? null,
    baseRowId: add.baseRowId ?? null,
    defaultRowCommitVersion: add.defaultRowCommitVersion ?? null,
  }
}

/**
 * What the next commit's in-commit timestamp must exceed, when the table has them enabled
 * (`delta.enableInCommitTimestamps`): the previous commit's, or nothing before the first.
 */
export function inCommitTimestampAfter(configuration: Record<string, string>, current: Snapshot | undefined): number | undefined {
  if (configuration['delta.enableInCommitTimestamps'] !== 'true') return undefined
  const info = current?.commitInfos.get(current.version)?.info
  return typeof info?.inCommitTimestamp === 'number' ? info.inCommitTimestamp : 0
}

import type { AddAction, CdcAction, RemoveAction } from '../model/actions.js'

/**
 * The remove action that takes an active file out of the table. `dataChange` false marks a
 * rearrangement (compaction) that removes no rows.
 */
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

/** The cdc action of a change data file written under `_change_data/`. */
export function changeFileOf(file: AddAction): CdcAction {
  return { kind: 'cdc', path: file.path, partitionValues: file.partitionValues, size: file.size, dataChange: false }
}

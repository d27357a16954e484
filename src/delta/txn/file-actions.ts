import { plainAdd, type AddAction, type CdcAction, type RemoveAction } from '../model/actions.js'

/**
 * The remove action that takes an active file out of the table: the add's file fields as
 * {@link plainAdd} gives them (absent ones null, lazily read stats read), without the fields
 * only an add has. `dataChange` false marks a rearrangement (compaction) that removes no rows.
 */
export function removeOf(add: AddAction, dataChange = true): RemoveAction {
  const { kind: _kind, path, modificationTime: _time, dataChange: _change, statsParsed: _parsed, clusteringProvider: _clustering, ...file } = plainAdd(add)
  return { kind: 'remove', path, deletionTimestamp: Date.now(), dataChange, extendedFileMetadata: true, ...file }
}

/** The cdc action of a change data file written under `_change_data/`. */
export function changeFileOf(file: AddAction): CdcAction {
  return { kind: 'cdc', path: file.path, partitionValues: file.partitionValues, size: file.size, dataChange: false }
}

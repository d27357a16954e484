import type { AddAction, DeletionVectorDescriptor, RemoveAction } from '../model/actions.js'
import { mapLimit } from '../engine/concurrency.js'
import type { Engine } from '../engine/engine.js'
import { isDeltaError } from '../engine/errors.js'
import type { FileMeta } from '../engine/storage.js'
import { deletionVectorPath } from '../dv/deletion-vector.js'
import { resolveDataPath } from '../log/data-path.js'
import type { Snapshot } from '../log/snapshot.js'
import { partitionKeysOf } from '../scan/plan.js'

/** The folder of the log: never vacuumed, whatever a (damaged) log names. */
export const LOG_FOLDER = '_delta_log'
/** The folder of change data files. */
export const CHANGE_DATA_FOLDER = '_change_data'
/** Underscore folders at the top level that hold table files all the same (Databricks' indexes). */
const VISIBLE_UNDERSCORE_FOLDERS = [CHANGE_DATA_FOLDER, '_delta_index']
const LIST_CONCURRENCY = 16

/**
 * The storage path of a file the log names, or undefined for a file outside the table (an
 * absolute URI elsewhere): vacuum can neither list nor delete those. A damaged relative path
 * (`../x`) still fails with `InvalidLog`, so a hostile log stops vacuum rather than steering it.
 */
export function storagePathOf(logPath: string, tableUri: string | undefined): string | undefined {
  try {
    return resolveDataPath(logPath, tableUri)
  } catch (e) {
    if (isDeltaError(e, 'UnsupportedFeature')) return undefined
    throw e
  }
}

/** The storage path of a deletion vector's file, or undefined for inline ones and those outside the table. */
export function deletionVectorFile(dv: DeletionVectorDescriptor | null | undefined, tableUri: string | undefined): string | undefined {
  if (!dv) return undefined
  try {
    return deletionVectorPath(dv, tableUri)
  } catch (e) {
    if (isDeltaError(e, 'UnsupportedFeature')) return undefined
    throw e
  }
}

/** The storage paths of a file action: its data file and its deletion vector's file. */
function filePaths(action: AddAction | RemoveAction, tableUri: string | undefined): string[] {
  const out: string[] = []
  const data = storagePathOf(action.path, tableUri)
  if (data !== undefined) out.push(data)
  const dv = deletionVectorFile(action.deletionVector, tableUri)
  if (dv !== undefined) out.push(dv)
  return out
}

/** Add to `into` the storage paths a snapshot's active files need: data files and deletion vector files. */
export function addReferencedPaths(snapshot: Snapshot, into: Set<string>): Set<string> {
  for (const add of snapshot.files) for (const p of filePaths(add, snapshot.tableUri)) into.add(p)
  return into
}

/**
 * When each removed file was last removed, by storage path (data files and deletion vector
 * files alike): the newest `deletionTimestamp` of the tombstones naming it. A tombstone without
 * one counts as removed at time 0, as delta-rs counts it.
 */
export function removalTimes(tombstones: readonly RemoveAction[], tableUri: string | undefined): Map<string, number> {
  const out = new Map<string, number>()
  for (const r of tombstones) {
    const at = r.deletionTimestamp ?? 0
    for (const p of filePaths(r, tableUri)) out.set(p, Math.max(out.get(p) ?? Number.NEGATIVE_INFINITY, at))
  }
  return out
}

/** Whether a path is the log or inside it. */
export function isInLog(path: string): boolean {
  return path === LOG_FOLDER || path.startsWith(`${LOG_FOLDER}/`)
}

/**
 * Whether vacuum leaves a path alone as hidden, as delta-rs decides: its top-level name starts
 * with `.` or `_`, unless it is `_change_data`, `_delta_index` or a partition folder of a
 * partition column whose name starts with `_` (`_p=1`).
 */
export function isHiddenPath(path: string, partitionColumns: readonly string[]): boolean {
  const top = path.split('/', 1)[0]!
  if (!top.startsWith('.') && !top.startsWith('_')) return false
  if (VISIBLE_UNDERSCORE_FOLDERS.includes(top) && path !== top) return false
  return !partitionColumns.some((c) => top.startsWith(`${c}=`))
}

/** The names a partition folder may start with: logical and physical (column mapping) names. */
export function partitionFolderNames(snapshot: Snapshot): string[] {
  return [...new Set(partitionKeysOf(snapshot).flatMap((k) => [k.key, k.field.name]))]
}

/** The folder of a storage path ('' at the top). */
export function folderOf(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash < 0 ? '' : path.slice(0, slash)
}

/** Every folder above `path`, the top ('') included. */
export function ancestorFolders(path: string): string[] {
  const out = ['']
  const parts = path.split('/')
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'))
  return out
}

/**
 * The change data folders that mirror data folders: `_change_data` itself and
 * `_change_data/<folder>` for each partition folder, where writers put change data of a
 * partitioned table.
 */
export function changeDataFolders(dataFolders: Iterable<string>): string[] {
  const out = new Set([CHANGE_DATA_FOLDER])
  for (const f of dataFolders) if (f !== '' && !f.startsWith('_') && !f.startsWith('.')) out.add(`${CHANGE_DATA_FOLDER}/${f}`)
  return [...out]
}

/**
 * The files of the given folders, one listing each (a storage lists one folder at a time),
 * never those of the log. Folders missing list as empty.
 */
export async function listFolders(engine: Engine, folders: Iterable<string>, signal?: AbortSignal): Promise<FileMeta[]> {
  const wanted = [...new Set(folders)].filter((f) => !isInLog(f)).sort()
  const listings = await mapLimit(wanted, LIST_CONCURRENCY, (dir) => engine.storage.list(dir, signal ? { signal } : {}))
  return listings.flat().filter((m) => !isInLog(m.path))
}
